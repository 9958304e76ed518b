package nvml_test

import (
	"errors"
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
	"github.com/nbody-go/nbody/nbody/nvml"
)

// Each CUDA device's telemetry, found through its UUID. Without NVML,
// there is no telemetry, which is no failure. (It needs a GPU, so it has
// no output to check.)
func Example() {
	if err := cuda.Load(); err != nil {
		fmt.Println("no CUDA GPU:", err)
		return
	}
	if err := nvml.Load(); err != nil {
		if errors.Is(err, nvml.ErrNoLibrary) {
			fmt.Println("no NVML here, so no telemetry")
		} else {
			fmt.Println("no telemetry:", err)
		}
		return
	}
	defer nvml.Shutdown()

	n, err := cuda.DeviceCount()
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range n {
		dev, err := cuda.DeviceGet(i)
		if err != nil {
			fmt.Println(err)
			return
		}
		uuid, err := dev.UUID()
		if err != nil {
			fmt.Println(err)
			continue
		}
		twin, err := nvml.DeviceByCUDAUUID(uuid)
		if err != nil {
			fmt.Println(err)
			continue
		}
		r, err := twin.Read()
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("GPU %d: %s %s", i, r.Name, r.UUID)
		if r.HasSMClock && r.HasMaxSMClock {
			fmt.Printf(", SM %d/%d MHz", r.SMClockMHz, r.MaxSMClockMHz)
		}
		if r.HasTemperature {
			fmt.Printf(", %d °C", r.TemperatureC)
		}
		if r.HasPower && r.HasPowerLimit {
			fmt.Printf(", %.0f/%.0f W", r.PowerW, r.PowerLimitW)
		}
		if r.HasThrottleReasons {
			fmt.Printf(", throttle: %s", r.ThrottleReasons)
		}
		fmt.Println()
	}
}
