package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	gotoken "go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The command line never inspects an error's text: what to do after an
// error comes from its typed advice (client.AdviceOf) and its sentinels
// (errors.Is), so that no SDK sentence is a hidden contract. This test
// parses every non-test Go file under cmd/ and fails on any call that
// searches, cuts or compares the text of an error: err.Error(),
// client.Facts(err), fmt.Sprint(err), or a variable that holds one of them.
func TestNoCommandInspectsErrorText(t *testing.T) {
	var files int
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		fset := gotoken.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, v := range errTextInspections(fset, f) {
			t.Errorf("%s: the command line reads an error's text; switch on its typed advice or sentinel instead", v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("checked %d files under cmd/: the walk missed the commands", files)
	}
}

// The checker itself finds each way of reading an error's text, and lets
// the printing of it alone.
func TestErrTextInspectionsChecker(t *testing.T) {
	bad := map[string]string{
		"contains":     `if strings.Contains(err.Error(), "Get(") { return nil }`,
		"hasprefix":    `_ = strings.HasPrefix(err.Error(), "unknown command")`,
		"hassuffix":    `_ = strings.HasSuffix(e.Err.Error(), "x")`,
		"index":        `_ = strings.Index(err.Error(), "x")`,
		"trimprefix":   `_ = strings.TrimPrefix(err.Error(), "key x: ")`,
		"cut":          `_, _, _ = strings.Cut(client.Facts(err), ": ")`,
		"variable":     "msg := err.Error()\n_ = strings.Contains(msg, \"x\")",
		"var decl":     "var msg = client.Facts(err)\n_ = strings.HasPrefix(msg, \"x\")",
		"propagated":   "msg := err.Error()\nlow := strings.ToLower(msg)\n_ = strings.Contains(low, \"x\")",
		"sprint":       `_ = strings.Contains(fmt.Sprint(err), "x")`,
		"sprintf":      `_ = strings.Contains(fmt.Sprintf("%v", apiErr), "x")`,
		"regexp":       `_ = listCall.MatchString(err.Error())`,
		"regexp find":  "msg := err.Error()\n_ = re.FindString(msg)",
		"regexp pkg":   `_, _ = regexp.MatchString("Get\\(", err.Error())`,
		"equal":        `_ = err.Error() == "EOF"`,
		"not equal":    `_ = "EOF" != client.Facts(err)`,
		"switch":       "switch err.Error() {\ncase \"EOF\":\n}",
		"func literal": "f := func() bool { m := err.Error(); return strings.HasSuffix(m, \"x\") }\n_ = f",
		"bytes":        `_ = bytes.Contains([]byte(err.Error()), []byte("x"))`,
	}
	for name, body := range bad {
		if got := checkBody(t, body); len(got) != 1 {
			t.Errorf("%s: %d findings in %q, want 1: %v", name, len(got), body, got)
		}
	}
	good := []string{
		`fmt.Fprintf(w, "anyscale-keys: %s\n", strings.TrimSpace(client.Facts(err)))`,
		`_ = strings.Join(strings.Fields(client.Facts(err)), " ")`,
		`_ = strings.Contains(a.Subject, "@")`,
		`_ = errors.Is(err, client.ErrNotFound)`,
		"msg := err.Error()\nfmt.Println(msg)",
		`_ = strings.HasPrefix(args[0], "-")`,
	}
	for _, body := range good {
		if got := checkBody(t, body); len(got) != 0 {
			t.Errorf("%q: findings %v, want none", body, got)
		}
	}
}

func checkBody(t *testing.T, body string) []string {
	t.Helper()
	src := "package p\nfunc f() {\n" + body + "\n}\n"
	fset := gotoken.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%q: %v", body, err)
	}
	return errTextInspections(fset, f)
}

// inspecting are the functions of packages strings and bytes that search,
// cut, compare or rewrite a text: given an error's text, each one reads
// it.
var inspecting = map[string]bool{
	"Contains": true, "ContainsAny": true, "ContainsRune": true, "ContainsFunc": true,
	"HasPrefix": true, "HasSuffix": true, "EqualFold": true, "Compare": true, "Count": true,
	"Index": true, "IndexAny": true, "IndexByte": true, "IndexRune": true, "IndexFunc": true,
	"LastIndex": true, "LastIndexAny": true, "LastIndexByte": true, "LastIndexFunc": true,
	"TrimPrefix": true, "TrimSuffix": true, "CutPrefix": true, "CutSuffix": true, "Cut": true,
	"Split": true, "SplitN": true, "SplitAfter": true, "SplitAfterN": true,
	"Replace": true, "ReplaceAll": true,
}

// passing are the functions whose result holds their argument's text.
var passing = map[string]bool{
	"ToLower": true, "ToUpper": true, "TrimSpace": true, "Trim": true, "TrimLeft": true, "TrimRight": true,
	"Join": true, "Fields": true, "string": true, "[]byte": true,
}

// errTextInspections returns, as "file:line: call", every place in f that
// reads an error's text.
func errTextInspections(fset *gotoken.FileSet, f *ast.File) []string {
	var out []string
	for _, decl := range f.Decls {
		tainted := taintedNames(decl)
		isText := func(e ast.Expr) bool { return errText(e, tainted) }
		report := func(n ast.Node) {
			out = append(out, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), shorten(fset, n)))
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if inspectingCall(n) && anyArg(n.Args, isText) {
					report(n)
				}
			case *ast.BinaryExpr:
				if (n.Op == gotoken.EQL || n.Op == gotoken.NEQ) && (isText(n.X) || isText(n.Y)) {
					report(n)
				}
			case *ast.SwitchStmt:
				if n.Tag != nil && isText(n.Tag) {
					report(n.Tag)
				}
			}
			return true
		})
	}
	return out
}

// inspectingCall reports whether call searches or cuts a text: a function
// of strings or bytes in inspecting, or a matcher's Match, Find or Replace
// method (regexp's, or any other).
func inspectingCall(call *ast.CallExpr) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if pkg, ok := sel.X.(*ast.Ident); ok && (pkg.Name == "strings" || pkg.Name == "bytes") {
		return inspecting[sel.Sel.Name]
	}
	name := sel.Sel.Name
	return strings.HasPrefix(name, "Match") || strings.HasPrefix(name, "Find") || strings.HasPrefix(name, "ReplaceAll")
}

func anyArg(args []ast.Expr, f func(ast.Expr) bool) bool {
	for _, a := range args {
		if f(a) {
			return true
		}
	}
	return false
}

// errText reports whether e is an error's text: x.Error(), a Facts(err)
// call, fmt.Sprint of an error, a variable that holds one, or a text made
// from one (lowered, trimmed, joined, converted, concatenated).
func errText(e ast.Expr, tainted map[string]bool) bool {
	switch e := e.(type) {
	case *ast.ParenExpr:
		return errText(e.X, tainted)
	case *ast.Ident:
		return tainted[e.Name]
	case *ast.BinaryExpr:
		return e.Op == gotoken.ADD && (errText(e.X, tainted) || errText(e.Y, tainted))
	case *ast.CallExpr:
		switch fun := e.Fun.(type) {
		case *ast.SelectorExpr:
			switch {
			case fun.Sel.Name == "Error" && len(e.Args) == 0:
				return true
			case fun.Sel.Name == "Facts" && len(e.Args) == 1:
				return true
			case isPkg(fun.X, "fmt") && strings.HasPrefix(fun.Sel.Name, "Sprint"):
				return anyArg(e.Args, isErrorValue)
			case (isPkg(fun.X, "strings") || isPkg(fun.X, "bytes")) && passing[fun.Sel.Name]:
				return anyArg(e.Args, func(a ast.Expr) bool { return errText(a, tainted) })
			}
		case *ast.Ident: // string(b)
			return passing[fun.Name] && anyArg(e.Args, func(a ast.Expr) bool { return errText(a, tainted) })
		case *ast.ArrayType: // []byte(s)
			return anyArg(e.Args, func(a ast.Expr) bool { return errText(a, tainted) })
		}
	}
	return false
}

func isPkg(e ast.Expr, name string) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == name
}

// isErrorValue reports whether e looks like an error value by its name:
// err, apiErr, e.Err. Without type information, the name is the rule the
// code base follows.
func isErrorValue(e ast.Expr) bool {
	var name string
	switch e := e.(type) {
	case *ast.Ident:
		name = e.Name
	case *ast.SelectorExpr:
		name = e.Sel.Name
	default:
		return false
	}
	return name == "err" || name == "e" || strings.HasSuffix(name, "Err") || strings.HasSuffix(name, "err")
}

// taintedNames are the variables of decl that hold an error's text,
// followed through assignments until nothing changes.
func taintedNames(decl ast.Decl) map[string]bool {
	tainted := map[string]bool{}
	for changed := true; changed; {
		changed = false
		mark := func(lhs []ast.Expr, rhs []ast.Expr) {
			if len(lhs) != len(rhs) {
				return
			}
			for i, l := range lhs {
				id, ok := l.(*ast.Ident)
				if ok && id.Name != "_" && !tainted[id.Name] && errText(rhs[i], tainted) {
					tainted[id.Name] = true
					changed = true
				}
			}
		}
		ast.Inspect(decl, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				mark(n.Lhs, n.Rhs)
			case *ast.ValueSpec:
				lhs := make([]ast.Expr, len(n.Names))
				for i, name := range n.Names {
					lhs[i] = name
				}
				mark(lhs, n.Values)
			}
			return true
		})
	}
	return tainted
}

// shorten is n's source, on one line and at most 100 characters.
func shorten(fset *gotoken.FileSet, n ast.Node) string {
	var b strings.Builder
	if err := printer.Fprint(&b, fset, n); err != nil {
		return fmt.Sprintf("%T", n)
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}
