package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// good is a well-formed data file; the bad cases below break one thing each.
const good = `# A sweep.
# program: ours
# gpu: NVIDIA H200
# date: 2026-11-30 (16:04 UTC)
# command: sh bench/gpu-sweep.sh
# device: GPU 0: NVIDIA H200
gpus	precision	memory	n	gis
1	single	device	16384	1909.0

1	double	host	135168	805.5
`

func TestParseRun(t *testing.T) {
	r, err := ParseRun("good.tsv", strings.NewReader(good))
	require.NoError(t, err)
	assert.Equal(t, "ours", r.Program)
	assert.Equal(t, "NVIDIA H200", r.GPU)
	assert.Equal(t, "2026-11-30", r.Date, "the day, without what follows it")
	assert.Equal(t, []string{"sh bench/gpu-sweep.sh"}, r.Commands)
	assert.Equal(t, []string{"GPU 0: NVIDIA H200"}, r.Devices)
	assert.Equal(t, []Point{
		{Line: 8, GPUs: 1, Precision: "single", Memory: "device", Exchange: "-", N: 16384, GIs: 1909},
		{Line: 10, GPUs: 1, Precision: "double", Memory: "host", Exchange: "-", N: 135168, GIs: 805.5},
	}, r.Points)
}

func TestParseRunOptionalColumnsAndCRLF(t *testing.T) {
	in := "# program: sample\r\n# gpu: G\r\n# date: 2026-01-02\r\n# command: c\r\n# device: d\r\n" +
		"n\tgis\tgpus\tprecision\texchange\r\n4194304\t3213.5\t2\tsingle\t-\r\n"
	r, err := ParseRun("x.tsv", strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, []Point{{Line: 7, GPUs: 2, Precision: "single", Memory: "device", Exchange: "-", N: 4194304, GIs: 3213.5}}, r.Points)
}

// Each malformed file gives one line naming the file and, where it is one
// line's fault, the line.
func TestParseRunRejects(t *testing.T) {
	const meta = "# program: ours\n# gpu: G\n# date: 2026-11-30\n# command: c\n# device: d\n"
	const head = "gpus\tprecision\tn\tgis\n"
	for _, c := range []struct {
		name, in, want string
	}{
		{"thousands", meta + head + "1\tsingle\t16384\t1,909.0\n", `bad.tsv:7: gis "1,909.0": not a number`},
		{"zero rate", meta + head + "1\tsingle\t16384\t0\n", `bad.tsv:7: gis "0": want a number above 0`},
		{"NaN", meta + head + "1\tsingle\t16384\tNaN\n", `bad.tsv:7: gis "NaN": want a number above 0`},
		{"fields", meta + head + "1\tsingle\t16384\n", "bad.tsv:7: 3 tab-separated fields, the header has 4"},
		{"spaces", meta + head + "1 single 16384 1909\n", "bad.tsv:7: 1 tab-separated fields, the header has 4"},
		{"precision", meta + head + "1\tfp32\t16384\t1909\n", `bad.tsv:7: precision "fp32": want one of single, double`},
		{"n", meta + head + "1\tsingle\t-5\t1909\n", `bad.tsv:7: n "-5": want a whole number of at least 1`},
		{"gpus", meta + head + "0\tsingle\t5\t1909\n", `bad.tsv:7: gpus "0": want a whole number`},
		{"memory", meta + "gpus\tprecision\tmemory\tn\tgis\n1\tsingle\tmanaged\t5\t1\n", `bad.tsv:7: memory "managed": want one of device, host`},
		{"exchange on one GPU", meta + "gpus\tprecision\texchange\tn\tgis\n1\tsingle\tpeer\t5\t1\n", `bad.tsv:7: exchange "peer" on one GPU: want -`},
		{"twice", meta + head + "1\tsingle\t5\t1\n1\tsingle\t5\t2\n", "bad.tsv:8: the same run as line 7"},
		{"unknown column", meta + "gpus\tprecision\tn\tgis\tnote\n", `bad.tsv:6: header: unknown column "note"`},
		{"missing column", meta + "gpus\tn\tgis\n", `bad.tsv:6: header: no column "precision"`},
		{"column twice", meta + "gpus\tprecision\tn\tgis\tn\n", `bad.tsv:6: header: column "n" twice`},
		{"program", "# program: theirs\n", `bad.tsv:1: program "theirs": want ours or sample`},
		{"date", "# date: 30 Nov 2026\n", `bad.tsv:1: date "30 Nov 2026": want YYYY-MM-DD first`},
		{"gpu twice", "# gpu: A\n# gpu: B\n", `bad.tsv:2: a second "# gpu:" line`},
		{"empty command", "# command:\n", `bad.tsv:1: "# command:" with nothing after it`},
		{"no program", strings.Replace(meta, "# program: ours\n", "", 1) + head + "1\tsingle\t5\t1\n", `bad.tsv: no "# program:" line`},
		{"no device", strings.Replace(meta, "# device: d\n", "", 1) + head + "1\tsingle\t5\t1\n", `bad.tsv: no "# device:" line`},
		{"no header", meta, "bad.tsv: no header line"},
		{"no figures", meta + head, "bad.tsv: no figures after the header"},
	} {
		_, err := ParseRun("bad.tsv", strings.NewReader(c.in))
		require.Error(t, err, c.name)
		assert.Contains(t, err.Error(), c.want, c.name)
		assert.NotContains(t, err.Error(), "\n", "%s: one line", c.name)
	}
}

func TestReadRunsNamesTheFile(t *testing.T) {
	_, err := ReadRuns([]string{"testdata/does-not-exist.tsv"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does-not-exist.tsv")
	_, err = ReadRuns([]string{t.TempDir()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no *.tsv data files")
}
