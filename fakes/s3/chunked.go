package s3

import (
	"bufio"
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// aws-chunked ("Content-Encoding: aws-chunked", X-Amz-Content-Sha256
// STREAMING-*) frames the payload as
//
//	<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailer>:<value>\r\n...]\r\n
//
// gofakes3 only strips the framing for STREAMING-AWS4-HMAC-SHA256-PAYLOAD on
// PutObject, and takes the encoded Content-Length for parts, so the fake
// decodes every variant itself before gofakes3 sees the body.

const (
	maxChunkLine    = 4096 // a size line plus its signature is ~90 bytes
	maxTrailerLines = 16
)

// chunkedReader decodes aws-chunked. With a signer it checks every chunk
// signature (each chains from the previous one, starting at the seed
// signature of the headers), buffering one chunk at a time so no byte of a
// forged chunk is handed on. Trailer signatures are not checked.
type chunkedReader struct {
	br        *bufio.Reader
	remaining int64 // undecoded bytes of the current chunk (streaming mode)
	left      int64 // bytes still allowed by x-amz-decoded-content-length
	needCRLF  bool
	pending   []byte // verified chunk not yet read (signed mode)
	buf       []byte
	done      bool
	err       error

	signer *v4.StreamSigner // nil: chunk signatures are not checked
	ident  identity

	// Trailer holds the trailing headers once the body has been read to EOF.
	Trailer http.Header
}

var _ io.Reader = (*chunkedReader)(nil)

func newChunkedReader(r io.Reader, decodedLength int64, ident *identity) *chunkedReader {
	c := &chunkedReader{br: bufio.NewReaderSize(r, maxChunkLine), left: decodedLength, Trailer: http.Header{}}
	if ident != nil {
		c.ident = *ident
		creds := aws.Credentials{AccessKeyID: ident.AccessKey, SecretAccessKey: ident.Secret}
		c.signer = v4.NewStreamSigner(creds, "s3", ident.Region, ident.Seed)
	}
	return c
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for {
		switch {
		case c.err != nil:
			return 0, c.err
		case len(c.pending) > 0:
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		case c.remaining > 0:
			if int64(len(p)) > c.remaining {
				p = p[:c.remaining]
			}
			n, err := c.br.Read(p)
			c.remaining -= int64(n)
			if c.remaining == 0 {
				c.needCRLF = true
			}
			if err != nil && c.remaining > 0 {
				c.err = ErrIncompleteBody.with("The aws-chunked body ended inside a chunk.")
			}
			return n, nil
		case c.done:
			return 0, io.EOF
		}
		c.err = c.next()
	}
}

// next reads the next chunk header and, in signed mode, the whole chunk.
func (c *chunkedReader) next() error {
	if c.needCRLF {
		if err := c.expectCRLF(); err != nil {
			return err
		}
		c.needCRLF = false
	}
	line, err := c.line()
	if errors.Is(err, errEOFBeforeLine) {
		return ErrIncompleteBody.with("The aws-chunked body ended before its last chunk.")
	}
	if err != nil {
		return err
	}
	sizeHex, ext, _ := strings.Cut(line, ";")
	size, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
	if err != nil || size < 0 {
		return malformedChunk("bad chunk size line")
	}
	if size > c.left {
		return malformedChunk("chunks are longer than X-Amz-Decoded-Content-Length")
	}
	c.left -= size
	var sig string
	if ext != "" {
		name, value, _ := strings.Cut(strings.TrimSpace(ext), "=")
		if name != "chunk-signature" {
			return malformedChunk("unknown chunk extension " + strconv.Quote(name))
		}
		sig = value
	}
	if c.signer != nil && sig == "" {
		return ErrSignatureDoesNotMatch.with("The chunk is missing its chunk-signature.")
	}

	if c.signer != nil {
		if cap(c.buf) < int(size) {
			c.buf = make([]byte, size)
		}
		c.buf = c.buf[:size]
		if _, err := io.ReadFull(c.br, c.buf); err != nil {
			return ErrIncompleteBody.with("The aws-chunked body ended inside a chunk.")
		}
		if size > 0 {
			if err := c.expectCRLF(); err != nil {
				return err
			}
		}
		if err := c.checkSignature(sig, c.buf); err != nil {
			return err
		}
		c.pending = c.buf
	} else {
		c.remaining = size
	}
	if size == 0 {
		if c.left != 0 {
			return ErrIncompleteBody.with("The aws-chunked body is shorter than X-Amz-Decoded-Content-Length.")
		}
		c.done = true
		return c.trailers()
	}
	return nil
}

func (c *chunkedReader) checkSignature(sig string, chunk []byte) error {
	got, err := c.signer.GetSignature(context.Background(), nil, chunk, c.ident.Date)
	if err != nil {
		return err
	}
	want, err := hex.DecodeString(sig)
	if err != nil || !hmac.Equal(got, want) {
		return ErrSignatureDoesNotMatch.with("The chunk signature we calculated does not match the chunk-signature you provided.")
	}
	return nil
}

// trailers reads "name:value" lines up to the blank line (or EOF, which some
// encoders leave out after the last trailer).
func (c *chunkedReader) trailers() error {
	for i := 0; ; i++ {
		line, err := c.line()
		if errors.Is(err, errEOFBeforeLine) || (err == nil && line == "") {
			return nil
		}
		if err != nil {
			return err
		}
		if i == maxTrailerLines {
			return malformedChunk("too many trailers")
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return malformedChunk("bad trailer line")
		}
		c.Trailer.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
}

var errEOFBeforeLine = errors.New("s3: EOF before line")

func (c *chunkedReader) line() (string, error) {
	b, err := c.br.ReadSlice('\n')
	switch {
	case err == io.EOF && len(b) == 0:
		return "", errEOFBeforeLine
	case errors.Is(err, bufio.ErrBufferFull):
		return "", malformedChunk("chunk header line too long")
	case err != nil:
		return "", ErrIncompleteBody.with("The aws-chunked body ended inside a chunk header.")
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

func (c *chunkedReader) expectCRLF() error {
	b, err := c.br.ReadSlice('\n')
	if err != nil || strings.TrimRight(string(b), "\r\n") != "" {
		return malformedChunk("chunk data is not followed by CRLF")
	}
	return nil
}

func malformedChunk(why string) *Error {
	return ErrIncompleteBody.with("Malformed aws-chunked body: " + why + ".")
}
