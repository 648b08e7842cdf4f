// The Go contestant of bench/ for the course's server: GET / answers {"message":"Hello world!"}.
package main

import (
	"log"
	"net/http"

	"minikube-demo/bench/go/internal/web"
)

func main() {
	log.Fatal(web.ListenAndServe(func(w http.ResponseWriter, r *http.Request) {
		web.WriteJSON(w, web.Message{Message: "Hello world!"})
	}))
}
