package auth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/anyscale-go/anyscale/credentials"
	"github.com/anyscale-go/anyscale/internal/advice"
	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// FileOption configures File.
type FileOption func(*fileConfig)

type fileConfig struct {
	path   string
	strict bool
}

// WithPath makes File read the credentials file at p instead of
// credentials.DefaultPath().
func WithPath(p string) FileOption {
	return func(c *fileConfig) { c.path = p }
}

// WithStrictPermissions makes File refuse a credentials file that
// credentials.CheckPermissions rejects, instead of using it with a
// warning: a file that group or others may read or write, or one in a
// directory that group or others may write. A file that credentials.Save
// wrote passes.
func WithStrictPermissions() FileOption {
	return func(c *fileConfig) { c.strict = true }
}

// File returns a Provider of the token in the credentials file, with
// Source SourceFile and the file's path as Origin. The default path,
// credentials.DefaultPath(), is resolved each time Token is called.
//
// A missing file is unavailable. A file that is not valid JSON, has no
// cli_token, or holds a token that credentials.ValidateToken rejects is an
// error naming the path; so is something other than a regular file at the
// path, such as a directory or a named pipe, which is never waited on. A
// file that group or others may read or write, or whose directory they
// may write (OpenSSH's rule, see credentials.CheckPermissions), is an
// error with WithStrictPermissions; otherwise the token is used, and a
// Chain logs a warning on its logger, once per Chain.
func File(opts ...FileOption) Provider {
	var c fileConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return &fileProvider{cfg: c}
}

type fileProvider struct {
	cfg fileConfig
}

func (p *fileProvider) Token(ctx context.Context) (Token, error) {
	if err := ctxguard.Check(ctx, "auth.File().Token"); err != nil {
		return Token{}, err
	}
	return p.resolve(ctx).tokenOf()
}

func (p *fileProvider) resolve(ctx context.Context) outcome {
	o := outcome{source: SourceFile}
	path := p.cfg.path
	if path == "" {
		var err error
		if path, err = credentials.DefaultPath(); err != nil {
			o.origin = filepath.Join("$HOME", credentials.DirName, credentials.FileName)
			o.err = unavailable(SourceFile, o.origin, "no home directory to look in: "+err.Error(), err)
			return o
		}
	}
	o.origin = path
	if err := ctx.Err(); err != nil {
		o.err = err
		return o
	}

	f, err := credentials.Load(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			o.err = unavailable(SourceFile, path, "no such file", err)
		} else {
			// *credentials.FormatError names the path and says how to fix it;
			// so does the error for something other than a regular file
			// there (a directory, a named pipe); other errors (no read
			// permission) come from the os package and name the path too.
			o.err = err
		}
		return o
	}
	if err := credentials.ValidateToken(f.CLIToken.Reveal()); err != nil {
		o.err = advice.Wrap(fmt.Errorf("auth: file: %s: %w", path, err),
			advice.Advice{Action: advice.ConfigureToken, Source: string(SourceFile), Origin: path},
			"run `anyscale login` to replace it")
		return o
	}

	if err := credentials.CheckPermissions(path); err != nil {
		var insecure *credentials.InsecurePermissionsError
		switch {
		case errors.As(err, &insecure) && p.cfg.strict:
			o.err = fmt.Errorf("auth: file: refusing a credentials file that another account could read or replace: %w", err)
			return o
		case errors.As(err, &insecure):
			o.warning = fmt.Errorf("%w; using its token anyway (strict permissions would refuse it)", err)
		case p.cfg.strict:
			// The permissions could not be checked (the file went away
			// after it was read, say): strict mode does not guess.
			o.err = fmt.Errorf("auth: file: checking permissions: %w", err)
			return o
		}
	}
	o.token = Token{Value: f.CLIToken, Source: SourceFile, Origin: path}
	return o
}
