package server_test

import (
	"fmt"
	"io"
	"net/http"

	"github.com/recmock/recmock/server"
)

// Start runs what recmock serve runs, on free ports unless told otherwise.
func ExampleStart() {
	srv, err := server.Start(server.Config{})
	if err != nil {
		panic(err)
	}
	defer srv.Close()

	res, err := http.Get(srv.URL() + "/_admin/health")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Print(string(body))
	fmt.Println(srv.Sink.Addr() != "", srv.S3.URL() != "")
	// Output:
	// {"status":"ok"}
	// true true
}
