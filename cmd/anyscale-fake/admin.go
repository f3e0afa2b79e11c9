package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/anyscale-go/anyscale/anyscaletest"
)

// adminPrefix is the admin API's path prefix: no path of the Anyscale API
// starts with it.
const adminPrefix = "/_fake/"

// maxAdminBody bounds an admin request's body.
const maxAdminBody = 1 << 20

// admin serves the admin API of the package doc in front of the fake.
type admin struct {
	srv     *anyscaletest.Server // set once, before started is closed
	started chan struct{}
	mux     *http.ServeMux
}

func newAdmin() *admin {
	a := &admin{started: make(chan struct{}), mux: http.NewServeMux()}
	a.mux.HandleFunc("POST /_fake/faults", a.addFault)
	a.mux.HandleFunc("GET /_fake/faults", a.listFaults)
	a.mux.HandleFunc("DELETE /_fake/faults", a.clearFaults)
	a.mux.HandleFunc("POST /_fake/advance", a.advance)
	a.mux.HandleFunc("GET /_fake/now", a.now)
	a.mux.HandleFunc("GET /_fake/requests", a.requests)
	a.mux.HandleFunc("POST /_fake/reset", a.reset)
	a.mux.HandleFunc("/_fake/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "no admin endpoint %s %s", r.Method, r.URL.Path)
	})
	return a
}

// ready lets requests through, to srv's API and to the admin API.
func (a *admin) ready(srv *anyscaletest.Server) {
	a.srv = srv
	close(a.started)
}

// wrap is anyscaletest.WithWrap's function: the admin API under
// adminPrefix, the fake's API for every other path, each once the server
// is ready.
func (a *admin) wrap(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-a.started:
		case <-r.Context().Done():
			return
		}
		if r.URL.Path+"/" == adminPrefix || strings.HasPrefix(r.URL.Path, adminPrefix) {
			a.mux.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// fault is anyscaletest.Fault on the admin API's wire.
type fault struct {
	Method       string `json:"method,omitempty"`
	PathPrefix   string `json:"path_prefix,omitempty"`
	Status       int    `json:"status,omitempty"`
	Body         string `json:"body,omitempty"`
	RetryAfter   string `json:"retry_after,omitempty"`
	Drop         bool   `json:"drop,omitempty"`
	CutBody      bool   `json:"cut_body,omitempty"`
	Delay        string `json:"delay,omitempty"`
	Times        int    `json:"times,omitempty"`
	AfterHandler bool   `json:"after_handler,omitempty"`
}

func (f fault) fault() (anyscaletest.Fault, error) {
	out := anyscaletest.Fault{Method: strings.ToUpper(f.Method), PathPrefix: f.PathPrefix, Status: f.Status, Body: f.Body,
		RetryAfter: f.RetryAfter, Drop: f.Drop, CutBody: f.CutBody, Times: f.Times, AfterHandler: f.AfterHandler}
	if f.Delay != "" {
		d, err := time.ParseDuration(f.Delay)
		if err != nil || d < 0 {
			return out, fmt.Errorf("delay %q is not a duration such as \"2s\"", f.Delay)
		}
		out.Delay = d
	}
	return out, nil
}

func wireFault(f anyscaletest.Fault) fault {
	out := fault{Method: f.Method, PathPrefix: f.PathPrefix, Status: f.Status, Body: f.Body, RetryAfter: f.RetryAfter,
		Drop: f.Drop, CutBody: f.CutBody, Times: f.Times, AfterHandler: f.AfterHandler}
	if f.Delay > 0 {
		out.Delay = f.Delay.String()
	}
	return out
}

func (a *admin) addFault(w http.ResponseWriter, r *http.Request) {
	var in fault
	if !decode(w, r, &in) {
		return
	}
	f, err := in.fault()
	if err == nil {
		err = a.srv.CheckFault(f)
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "fault: %v", err)
		return
	}
	if f.Times == 0 {
		f.Times = 1
	}
	a.srv.FailNext(f)
	reply(w, http.StatusCreated, wireFault(f))
}

func (a *admin) listFaults(w http.ResponseWriter, _ *http.Request) {
	out := []fault{}
	for _, f := range a.srv.QueuedFaults() {
		out = append(out, wireFault(f))
	}
	reply(w, http.StatusOK, map[string]any{"faults": out})
}

func (a *admin) clearFaults(w http.ResponseWriter, _ *http.Request) {
	reply(w, http.StatusOK, map[string]int{"dropped": a.srv.ClearFaults()})
}

func (a *admin) advance(w http.ResponseWriter, r *http.Request) {
	var in struct {
		By string `json:"by"`
	}
	if !decode(w, r, &in) {
		return
	}
	d, err := parseDuration(in.By)
	if err != nil {
		fail(w, http.StatusBadRequest, "by: %v", err)
		return
	}
	a.srv.Advance(d)
	a.now(w, r)
}

// parseDuration reads a Go duration ("72h", "90m") or whole days ("3d"),
// not negative.
func parseDuration(s string) (time.Duration, error) {
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		days, err = strconv.Atoi(n)
		d = time.Duration(days) * day
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration such as \"72h\" or \"3d\"", s)
	}
	return d, nil
}

func (a *admin) now(w http.ResponseWriter, _ *http.Request) {
	reply(w, http.StatusOK, map[string]string{"now": a.srv.Now().Format(time.RFC3339)})
}

// request is anyscaletest.Request on the admin API's wire.
type request struct {
	Method        string `json:"method"`
	Path          string `json:"path"`
	Query         string `json:"query"`
	Body          string `json:"body"`
	Status        int    `json:"status"`
	Authenticated bool   `json:"authenticated"`
	UserEmail     string `json:"user_email"`
	TraceID       string `json:"trace_id"`
}

func (a *admin) requests(w http.ResponseWriter, _ *http.Request) {
	out := []request{}
	for _, r := range a.srv.Requests() {
		out = append(out, request{r.Method, r.Path, r.Query.Encode(), string(r.Body), r.Status, r.Authenticated, r.UserEmail, r.TraceID})
	}
	reply(w, http.StatusOK, map[string]any{"requests": out})
}

func (a *admin) reset(w http.ResponseWriter, _ *http.Request) {
	n := a.srv.ClearFaults()
	a.srv.ResetRequests()
	reply(w, http.StatusOK, map[string]int{"dropped": n})
}

// decode reads r's JSON body into v, refusing unknown fields (a
// misspelled field would silently widen a fault); an empty body is {}.
// On an error it answers 400 and returns false.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if errors.Is(err, io.EOF) {
		err = nil
	} else if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "the body is not the JSON object expected: %v", err)
		return false
	}
	return true
}

func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // our own types always encode
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

func fail(w http.ResponseWriter, status int, format string, args ...any) {
	reply(w, status, map[string]string{"error": fmt.Sprintf(format, args...)})
}
