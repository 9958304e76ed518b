package gpu

import (
	"fmt"

	"github.com/nbody-go/nbody/nbody/cuda"
)

// blocksPerMultiprocessor estimates how many blocks of blockSize threads of
// f, each with sharedBytes of dynamic shared memory, a multiprocessor of
// dev holds at once: the least of what its registers, threads and shared
// memory allow. Registers go to warps in units of 256, as on every
// architecture since Maxwell. It also returns f's registers per thread.
func blocksPerMultiprocessor(f cuda.Function, dev cuda.Device, blockSize int, sharedBytes uint64) (blocks, regs int, err error) {
	if regs, err = f.Attribute(cuda.FuncNumRegs); err != nil {
		return 0, 0, fmt.Errorf("kernel registers: %w", err)
	}
	static, err := f.Attribute(cuda.FuncSharedSizeBytes)
	if err != nil {
		return 0, 0, fmt.Errorf("kernel shared memory: %w", err)
	}
	var smRegs, smThreads, smShared int
	for _, a := range []struct {
		dst  *int
		attr cuda.DeviceAttribute
	}{
		{&smRegs, cuda.MaxRegistersPerMultiprocessor},
		{&smThreads, cuda.MaxThreadsPerMultiprocessor},
		{&smShared, cuda.MaxSharedMemoryPerMultiprocessor},
	} {
		if *a.dst, err = dev.Attribute(a.attr); err != nil {
			return 0, 0, err
		}
	}
	return occupancy(regs, static+int(sharedBytes), blockSize, smRegs, smThreads, smShared), regs, nil
}

// occupancy is blocksPerMultiprocessor's arithmetic.
func occupancy(regsPerThread, sharedPerBlock, blockSize, smRegs, smThreads, smShared int) int {
	const regUnit, warp, maxBlocks = 256, 32, 32
	warps := ceilDiv(blockSize, warp)
	perWarp := ceilDiv(max(1, regsPerThread)*warp, regUnit) * regUnit
	blocks := min(maxBlocks, smRegs/(perWarp*warps), smThreads/blockSize)
	if sharedPerBlock > 0 {
		blocks = min(blocks, smShared/sharedPerBlock)
	}
	return max(0, blocks)
}
