package client

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSkewOf(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	received := sent.Add(100 * time.Millisecond)
	tests := []struct {
		name string
		date time.Time
		want time.Duration
	}{
		{"written this second", sent.Truncate(time.Second), 0},
		{"48h ahead", sent.Add(48 * time.Hour), 48*time.Hour - 100*time.Millisecond + 550*time.Millisecond},
		{"48h behind", sent.Add(-48 * time.Hour), -48*time.Hour - 100*time.Millisecond + 550*time.Millisecond},
		{"2s ahead", sent.Add(2 * time.Second), 2*time.Second - 100*time.Millisecond + 550*time.Millisecond},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, skewOf(tt.date, sent, received), tt.name)
	}
}
