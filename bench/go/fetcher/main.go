// The Go contestant of bench/ for the course's server-fetcher: GET / calls the server at UPSTREAM_URL and
// answers {"message":"Fetched: <the server's message>"}, or 502 when the server's answer is not one.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"time"

	"minikube-demo/bench/go/internal/web"
)

// maxBody bounds what is read from the server, as the .NET fetcher's Upstream__MaxResponseBytes does.
const maxBody = 64 << 10

func main() {
	upstream := web.Env("UPSTREAM_URL", "http://minikube-demo-server-service:8000")
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // a call inside the cluster, never through an egress proxy
	// The default keeps 2 idle connections per host: every caller beyond that would open a new one.
	transport.MaxIdleConnsPerHost = 100
	client := &http.Client{Transport: transport, Timeout: 3 * time.Second}

	log.Fatal(web.ListenAndServe(func(w http.ResponseWriter, r *http.Request) {
		message, err := fetch(client, r, upstream)
		if err != nil {
			web.Log.Printf("upstream call failed: %v", err)
			http.Error(w, http.StatusText(http.StatusBadGateway), http.StatusBadGateway)
			return
		}
		web.WriteJSON(w, web.Message{Message: "Fetched: " + message})
	}))
}

// fetch returns the message of the server's answer: a 200 with a JSON body whose message is a string.
func fetch(client *http.Client, r *http.Request, upstream string) (string, error) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, upstream, nil)
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	// Read to the end (or the limit): a body read whole lets the connection go back to the pool.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return "", err
	}
	if len(body) > maxBody {
		return "", errors.New("body too large")
	}
	var answer struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(body, &answer); err != nil {
		return "", err
	}
	if answer.Message == nil {
		return "", errors.New(`no string "message" in the body`)
	}
	return *answer.Message, nil
}
