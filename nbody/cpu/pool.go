package cpu

import "sync"

// workerPool runs one job on a fixed set of goroutines that live as long as
// the integrator, so a step costs a channel send per worker rather than a
// goroutine per body. The caller's goroutine works as worker 0.
type workerPool struct {
	jobs []chan func(worker int) // one per extra worker (1..n-1)
	wg   sync.WaitGroup
	once sync.Once
}

func newWorkerPool(workers int) *workerPool {
	p := &workerPool{jobs: make([]chan func(int), max(workers, 1)-1)}
	for k := range p.jobs {
		ch := make(chan func(int))
		p.jobs[k] = ch
		go func() {
			for job := range ch {
				job(k + 1)
				p.wg.Done()
			}
		}()
	}
	return p
}

// size is the number of workers, the caller's goroutine included.
func (p *workerPool) size() int { return len(p.jobs) + 1 }

// run calls job(w) for every worker w at once and returns when all are done.
func (p *workerPool) run(job func(worker int)) {
	p.wg.Add(len(p.jobs))
	for _, ch := range p.jobs {
		ch <- job
	}
	job(0)
	p.wg.Wait()
}

// stop ends the worker goroutines; it is safe to call more than once.
func (p *workerPool) stop() {
	p.once.Do(func() {
		for _, ch := range p.jobs {
			close(ch)
		}
	})
}
