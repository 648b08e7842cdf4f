// Package web is what the Go contestants share, as Hono's cors() and logger() are shared by the course's apps:
// the open CORS policy, one log line per request, JSON out, and the listen address from HOST and PORT.
package web

import (
	"encoding/json"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

// Log is the services' log on stdout, as a container's log collector reads it.
var Log = log.New(os.Stdout, "", log.LstdFlags|log.Lmicroseconds)

// Message is the body of both services' answers and of the server's answer the fetcher reads.
type Message struct {
	Message string `json:"message"`
}

// Env returns the environment variable name, or fallback when it is unset or empty.
func Env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// WriteJSON writes v as a JSON body. json.Marshal, not an Encoder: the Encoder adds a newline the other
// contestants' bodies don't have.
func WriteJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// ListenAndServe serves handler for GET / on HOST:PORT (defaults 0.0.0.0:8000, as the course's apps),
// behind the request log and the CORS policy. It returns only on failure.
func ListenAndServe(handler http.HandlerFunc) error {
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path != "/":
			http.NotFound(w, r)
		case r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		default:
			handler(w, r)
		}
	})
	server := &http.Server{
		Addr:              net.JoinHostPort(Env("HOST", "0.0.0.0"), Env("PORT", "8000")),
		Handler:           logRequests(cors(root)),
		ReadHeaderTimeout: 10 * time.Second,
	}
	return server.ListenAndServe()
}

// cors is Hono's cors() with its defaults: any origin, and preflights answered 204 with the methods and the
// requested headers allowed.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET,HEAD,PUT,POST,DELETE,PATCH")
			if requested := r.Header.Get("Access-Control-Request-Headers"); requested != "" {
				h.Set("Access-Control-Allow-Headers", requested)
				h.Add("Vary", "Access-Control-Request-Headers")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status a handler wrote, for the request log.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// logRequests writes one line per request to stdout, like Hono's logger(): method, path, status, duration.
// The path is the escaped form, so a request cannot put a line break into the log.
func logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		Log.Printf("%s %s %d %s", r.Method, r.URL.EscapedPath(), rec.status, time.Since(start))
	})
}
