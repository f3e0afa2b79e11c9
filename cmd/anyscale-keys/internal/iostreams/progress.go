package iostreams

import (
	"fmt"
	"strings"
	"sync"
)

// barWidth is how many cells the progress bar has.
const barWidth = 30

// Progress is a progress bar on standard error, shown only when standard
// error is a terminal; otherwise it writes nothing. It is safe for
// concurrent use.
type Progress struct {
	s     *IOStreams
	label string
	on    bool

	mu   sync.Mutex
	last string
}

// Progress starts a progress bar labelled label.
func (s *IOStreams) Progress(label string) *Progress {
	return &Progress{s: s, label: label, on: s.errTTY}
}

// Set shows done of total.
func (p *Progress) Set(done, total int) {
	if !p.on || total <= 0 {
		return
	}
	filled := barWidth * min(done, total) / total
	line := fmt.Sprintf("\r%s [%s%s] %d/%d", p.label, strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), done, total)
	p.mu.Lock()
	defer p.mu.Unlock()
	if line != p.last {
		p.last = line
		fmt.Fprint(p.s.ErrOut, line)
	}
}

// Done ends the bar's line, if one was shown.
func (p *Progress) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on && p.last != "" {
		fmt.Fprintln(p.s.ErrOut)
	}
}
