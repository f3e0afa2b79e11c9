package loopback_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/anyscale-go/anyscale/internal/loopback"
)

func TestCanonicalAndIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		host, canonical string
		loopback, name  bool
	}{
		{host: "localhost", canonical: "localhost", loopback: true, name: true},
		{host: "LOCALHOST", canonical: "localhost", loopback: true, name: true},
		{host: "LocalHost.", canonical: "localhost", loopback: true, name: true},
		{host: "127.0.0.1", canonical: "127.0.0.1", loopback: true},
		{host: "127.1", canonical: "127.0.0.1", loopback: true},
		{host: "127.0.0.1.", canonical: "127.0.0.1", loopback: true},
		{host: "0x7f.0.0.1", canonical: "127.0.0.1", loopback: true},
		{host: "0X7F.1", canonical: "127.0.0.1", loopback: true},
		{host: "0177.0.0.1", canonical: "127.0.0.1", loopback: true},
		{host: "2130706433", canonical: "127.0.0.1", loopback: true},
		{host: "127.254.3.9", canonical: "127.254.3.9", loopback: true},
		{host: "::1", canonical: "::1", loopback: true},
		{host: "0:0:0:0:0:0:0:1", canonical: "::1", loopback: true},
		{host: "::ffff:127.0.0.1", canonical: "127.0.0.1", loopback: true},
		{host: "::FFFF:7f00:1", canonical: "127.0.0.1", loopback: true},
		{host: "API.Example.com", canonical: "api.example.com"},
		{host: "localhost.localdomain", canonical: "localhost.localdomain"},
		{host: "api.localhost", canonical: "api.localhost"},
		{host: "localhost..", canonical: "localhost.."},
		{host: "0.0.0.0", canonical: "0.0.0.0"},
		{host: "0", canonical: "0.0.0.0"},
		{host: "::", canonical: "::"},
		{host: "10.0.0.1", canonical: "10.0.0.1"},
		{host: "128.0.0.1", canonical: "128.0.0.1"},
		{host: "1.2.3.4.5", canonical: "1.2.3.4.5"},
		{host: "127.256.0.1", canonical: "127.256.0.1"},
		{host: "127.0.0x10000", canonical: "127.0.0x10000"},
		{host: "4294967296", canonical: "4294967296"},
		{host: "127.0.0.1x", canonical: "127.0.0.1x"},
		{host: "08.0.0.1", canonical: "08.0.0.1"},
		{host: "+127.0.0.1", canonical: "+127.0.0.1"},
		{host: "127..1", canonical: "127..1"},
		{host: "", canonical: ""},
		{host: "ｌｏｃａｌｈｏｓｔ", canonical: "ｌｏｃａｌｈｏｓｔ"},
		{host: "::1%lo", canonical: "::1%lo", loopback: true},
		{host: "fe80::1", canonical: "fe80::1"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.canonical, loopback.Canonical(tt.host), "Canonical(%q)", tt.host)
		assert.Equal(t, tt.loopback, loopback.Is(tt.host), "Is(%q)", tt.host)
		assert.Equal(t, tt.name, loopback.IsName(tt.host), "IsName(%q)", tt.host)
	}
}
