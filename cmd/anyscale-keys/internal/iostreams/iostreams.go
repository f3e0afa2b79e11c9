// Package iostreams is the one place that decides everything about the
// terminal: whether standard input, output and error are terminals,
// whether the command may ask a question, and whether it shows progress.
// Commands never look at os.Stdout or a terminal themselves.
package iostreams

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/term"
)

// IOStreams are a command's standard streams and what they are connected
// to. Standard output carries data only; messages, questions and progress
// go to standard error.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	// width is the terminal's width in columns (0: ask the terminal).
	width int
	// termWidth reads the terminal's width; nil: none.
	termWidth func() (int, bool)

	// interrupt, when set, ends a wait for an answer: Ctrl-C at a
	// question stops the command.
	interrupt <-chan struct{}

	mu     sync.Mutex
	reader *bufio.Reader
}

// ErrInterrupted is the error of a question that Ctrl-C ended.
var ErrInterrupted = errors.New("interrupted")

// SetInterrupt makes a pending Confirm return ErrInterrupted once done is
// closed.
func (s *IOStreams) SetInterrupt(done <-chan struct{}) { s.interrupt = done }

// System returns the process's streams.
func System() *IOStreams {
	isTTY := func(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY: isTTY(os.Stdin), outTTY: isTTY(os.Stdout), errTTY: isTTY(os.Stderr),
		termWidth: func() (int, bool) {
			w, _, err := term.GetSize(int(os.Stdout.Fd()))
			return w, err == nil && w > 0
		},
	}
}

// defaultWidth is the width a table fits when the terminal does not say.
const defaultWidth = 80

// TerminalWidth is the width, in columns, of the terminal standard output
// is: what the terminal says, else $COLUMNS, else 80.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if s.termWidth != nil {
		if w, ok := s.termWidth(); ok {
			return w
		}
	}
	if w, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && w > 0 {
		return w
	}
	return defaultWidth
}

// SetWidth sets the terminal's width, for tests.
func (s *IOStreams) SetWidth(w int) { s.width = w }

// Test returns streams on buffers, none of them a terminal (see SetTTY),
// and the buffers.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// SetTTY says which streams are terminals, for tests.
func (s *IOStreams) SetTTY(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// IsStdinTTY reports whether standard input is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// CanPrompt reports whether the command may ask a question: standard input
// and standard error are both terminals.
func (s *IOStreams) CanPrompt() bool { return s.inTTY && s.errTTY }

// Confirm asks question on standard error and reads the answer from
// standard input: yes for "y" or "yes", in any case; no otherwise, or at
// the end of input.
func (s *IOStreams) Confirm(question string) (bool, error) {
	fmt.Fprintf(s.ErrOut, "%s [y/N] ", question)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := s.ReadLine()
		got <- answer{line, err}
	}()
	var a answer
	select {
	case a = <-got:
	case <-s.interrupt: // nil: never
		fmt.Fprintln(s.ErrOut)
		return false, ErrInterrupted
	}
	line, err := a.line, a.err
	if err != nil && err != io.EOF {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// ReadLine reads one line of standard input, without its line ending.
func (s *IOStreams) ReadLine() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reader == nil {
		s.reader = bufio.NewReader(s.In)
	}
	line, err := s.reader.ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

// Lines returns every non-empty line of standard input, trimmed.
func (s *IOStreams) Lines() ([]string, error) {
	var out []string
	for {
		line, err := s.ReadLine()
		if l := strings.TrimSpace(line); l != "" {
			out = append(out, l)
		}
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
