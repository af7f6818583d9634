// Command bare is the ceiling of the HTTP benchmarks: a net/http server that reads each
// request's body and answers the bytes recmock answers a GET of the article's settings, with
// nothing else in between.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

// body is recmock's answer, byte for byte, to a GET after a PUT of bench/wrk/put.lua's body.
const body = `{"status":1,"content":{"data":{"username":"temasys","notify":true,"url":"https://site.com/events","email":["a@b.com","b@c.com"],"s3Settings":{"s3Arn":"arn:aws:s3:region::folder_name/objectpath","s3AccessKeyId":"akewjdwifuendjf","s3SecretAccessKey":"iewmdfuasfwnwksd"}}}}` + "\n"

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen `address`")
	flag.Parse()
	b := []byte(body)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(b)
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(os.Stdout, "listening http://%s\n", ln.Addr())
	log.Fatal(http.Serve(ln, h))
}
