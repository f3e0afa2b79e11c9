// Package nilctx drives every entry point of a service with a nil
// context, for the table tests that check each answers it with
// internal/ctxguard's error rather than a nil-pointer panic.
package nilctx

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/anyscale-go/anyscale/internal/ctxguard"
)

// Call calls every exported method of recv whose first parameter is a
// context.Context with a nil one (the other arguments zero), and returns
// the error each gives, by method name: its error result, or the error
// its iterator (an iter.Seq2[T, error]) yields first.
func Call(t testing.TB, recv any) map[string]error {
	t.Helper()
	ctxType := reflect.TypeFor[context.Context]()
	errType := reflect.TypeFor[error]()
	v := reflect.ValueOf(recv)
	out := map[string]error{}
	for i := range v.NumMethod() {
		m, name := v.Method(i), v.Type().Method(i).Name
		mt := m.Type()
		if mt.NumIn() == 0 || mt.In(0) != ctxType || mt.NumOut() == 0 {
			continue
		}
		args := make([]reflect.Value, mt.NumIn())
		for j := range args {
			args[j] = reflect.Zero(mt.In(j))
		}
		var res []reflect.Value
		if mt.IsVariadic() {
			res = m.CallSlice(args)
		} else {
			res = m.Call(args)
		}
		last := res[len(res)-1]
		switch {
		case last.Type() == errType:
			err, _ := last.Interface().(error)
			out[name] = err
		case last.Kind() == reflect.Func && last.Type().NumIn() == 1: // an iter.Seq2[T, error]
			var got error
			yield := reflect.MakeFunc(last.Type().In(0), func(in []reflect.Value) []reflect.Value {
				got, _ = in[1].Interface().(error)
				return []reflect.Value{reflect.ValueOf(false)}
			})
			last.Call([]reflect.Value{yield})
			out[name] = got
		default:
			t.Fatalf("%s returns %s: neither an error nor an iterator", name, last.Type())
		}
	}
	return out
}

// Check calls every entry point of recv with a nil context (as Call does)
// and fails t unless each answers with ctxguard's error naming itself as
// prefix+name, and unless the entry points are exactly want: a new method
// must be added to the table, which then covers it.
func Check(t testing.TB, recv any, prefix string, want ...string) {
	t.Helper()
	var names []string
	for name, err := range Call(t, recv) {
		names = append(names, name)
		if !errors.Is(err, ctxguard.ErrNil) {
			t.Errorf("%s%s with a nil context: %v, want ctxguard's error", prefix, name, err)
		} else if !strings.HasPrefix(err.Error(), prefix+name+": ") {
			t.Errorf("%s%s: the error %q does not name the entry point", prefix, name, err)
		}
	}
	slices.Sort(names)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(names, want) {
		t.Errorf("%sthe entry points are %q, the table names %q", prefix, names, want)
	}
}
