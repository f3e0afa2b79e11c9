package keyscmd_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdtest"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/cmdutil"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/iostreams"
	"github.com/anyscale-go/anyscale/cmd/anyscale-keys/internal/keyscmd"
)

const day = 24 * time.Hour

func testFactory() *cmdutil.Factory {
	io, _, _, _ := iostreams.Test()
	return cmdutil.NewFactory(io, "test")
}

func TestNewCmdCreate(t *testing.T) {
	tests := []struct {
		args    []string
		want    keyscmd.CreateOptions
		wantErr bool
	}{
		{args: []string{"ci"}, want: keyscmd.CreateOptions{Name: "ci", Expires: 30 * day}},
		{args: []string{"ci", "--expires", "7d", "--out", "ci.json"}, want: keyscmd.CreateOptions{Name: "ci", Expires: 7 * day, Out: "ci.json"}},
		{args: []string{"--expires=1d12h", "ci"}, want: keyscmd.CreateOptions{Name: "ci", Expires: 36 * time.Hour}},
		{args: []string{"ci", "--expires", "90m"}, want: keyscmd.CreateOptions{Name: "ci", Expires: 90 * time.Minute}},
		{args: []string{"ci", "--expires", "30d"}, want: keyscmd.CreateOptions{Name: "ci", Expires: 30 * day}},
		{args: []string{"ci", "--expires", "31d"}, wantErr: true},
		{args: []string{"ci", "--expires", "5w"}, wantErr: true},
		{args: []string{"ci", "--expires", "soon"}, wantErr: true},
		{args: []string{"ci", "--expires", "0d"}, wantErr: true},
		{args: []string{"ci", "--expires", "-1d"}, wantErr: true},
		{args: []string{}, wantErr: true},
		{args: []string{"a", "b"}, wantErr: true},
		{args: []string{"ci", "--out"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := cmdtest.Parse(t, keyscmd.NewCmdCreate, tt.args...)
		if tt.wantErr {
			// A command line the parsing refuses is a usage error.
			cmdtest.Usage(t, err, "")
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got.F = nil
		if *got != tt.want {
			t.Errorf("%v: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestNewCmdList(t *testing.T) {
	tests := []struct {
		args    []string
		want    keyscmd.ListOptions
		wantErr string
	}{
		{args: nil, want: keyscmd.ListOptions{}},
		{args: []string{"--name", "ci-"}, want: keyscmd.ListOptions{Name: "ci-"}},
		{args: []string{"--org"}, want: keyscmd.ListOptions{Org: true}},
		{args: []string{"--org", "--owner", "ada@example.com"}, want: keyscmd.ListOptions{Org: true, Owner: "ada@example.com"}},
		{args: []string{"--owner", "ada@example.com"}, wantErr: "--owner needs --org"},
		{args: []string{"extra"}, wantErr: "takes no arguments"},
	}
	for _, tt := range tests {
		got, err := cmdtest.Parse(t, keyscmd.NewCmdList, tt.args...)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want one saying %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got.F = nil
		if *got != tt.want {
			t.Errorf("%v: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
	// The conflict is a usage error.
	_, err := cmdtest.Parse(t, keyscmd.NewCmdList, "--owner", "ada@example.com")
	cmdtest.Usage(t, err, "--owner needs --org")
}

func TestNewCmdRevoke(t *testing.T) {
	tests := []struct {
		args    []string
		want    keyscmd.RevokeOptions
		wantErr bool
	}{
		{args: []string{"k1"}, want: keyscmd.RevokeOptions{Refs: []string{"k1"}}},
		{args: []string{"k1", "k2", "--yes"}, want: keyscmd.RevokeOptions{Refs: []string{"k1", "k2"}, Yes: true}},
		{args: []string{"-y", "--org", "k1"}, want: keyscmd.RevokeOptions{Refs: []string{"k1"}, Org: true, Yes: true}},
		{args: []string{"-"}, want: keyscmd.RevokeOptions{FromStdin: true}},
		{args: []string{"-", "--org", "--yes"}, want: keyscmd.RevokeOptions{FromStdin: true, Org: true, Yes: true}},
		{args: []string{}, wantErr: true},
		{args: []string{"-", "k1"}, wantErr: true},
		{args: []string{"k1", "-"}, wantErr: true},
		{args: []string{".."}, wantErr: true},
		{args: []string{"k1", ""}, wantErr: true},
		{args: []string{" k1"}, wantErr: true},
		{args: []string{"k1", "--all"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := cmdtest.Parse(t, keyscmd.NewCmdRevoke, tt.args...)
		if tt.wantErr {
			// A command line the parsing refuses is a usage error.
			cmdtest.Usage(t, err, "")
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got.F = nil
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%v: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestNewCmdRotate(t *testing.T) {
	tests := []struct {
		args    []string
		want    keyscmd.RotateOptions
		wantErr bool
	}{
		{args: nil, want: keyscmd.RotateOptions{Expires: 30 * day}},
		{args: []string{"--yes", "--out", "creds.json", "--clobber"}, want: keyscmd.RotateOptions{Yes: true, Out: "creds.json", Clobber: true, Expires: 30 * day}},
		{args: []string{"-y", "--all", "--name", "laptop", "--expires", "7d"}, want: keyscmd.RotateOptions{Yes: true, All: true, Name: "laptop", Expires: 7 * day}},
		{args: []string{"--expires", "31d"}, wantErr: true},
		{args: []string{"now"}, wantErr: true},
		{args: []string{"--force"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := cmdtest.Parse(t, keyscmd.NewCmdRotate, tt.args...)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%v: no error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got.F = nil
		if *got != tt.want {
			t.Errorf("%v: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestNewCmdAudit(t *testing.T) {
	tests := []struct {
		args    []string
		want    keyscmd.AuditOptions
		wantErr bool
	}{
		{args: nil, want: keyscmd.AuditOptions{ExpiringWithin: 7 * day, UnusedFor: 30 * day}},
		{args: []string{"--org", "--fail-on-findings"}, want: keyscmd.AuditOptions{Org: true, FailOnFindings: true, ExpiringWithin: 7 * day, UnusedFor: 30 * day}},
		{args: []string{"--expiring-within", "14d", "--unused-for", "2w"}, want: keyscmd.AuditOptions{ExpiringWithin: 14 * day, UnusedFor: 14 * day}},
		{args: []string{"--expiring-within=36h"}, want: keyscmd.AuditOptions{ExpiringWithin: 36 * time.Hour, UnusedFor: 30 * day}},
		{args: []string{"--expiring-within", "soon"}, wantErr: true},
		{args: []string{"--unused-for", "0"}, wantErr: true},
		{args: []string{"all"}, wantErr: true},
	}
	for _, tt := range tests {
		got, err := cmdtest.Parse(t, keyscmd.NewCmdAudit, tt.args...)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%v: no error", tt.args)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.args, err)
			continue
		}
		got.F = nil
		if *got != tt.want {
			t.Errorf("%v: got %+v, want %+v", tt.args, *got, tt.want)
		}
	}
}

func TestHelp(t *testing.T) {
	cmd := keyscmd.NewCmdKeys(testFactory())
	for _, sub := range cmd.Commands() {
		if sub.Short == "" || sub.Long == "" || sub.Example == "" {
			t.Errorf("keys %s: Short, Long and Example are all needed", sub.Name())
		}
	}
	if len(cmd.Commands()) != 5 {
		t.Errorf("keys has %d subcommands, want 5", len(cmd.Commands()))
	}
}
