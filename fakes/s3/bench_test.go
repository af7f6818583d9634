package s3_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	fakes3 "github.com/recmock/recmock/fakes/s3"
)

// BenchmarkPutObject measures the upload path: the SDK's PutObject (with its CRC32
// checksum) of objects of several sizes, overwriting one key.
func BenchmarkPutObject(b *testing.B) {
	for _, size := range []int{64 << 10, 4 << 20} {
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			srv, err := fakes3.NewServer(fakes3.Config{Buckets: []string{"rec"}})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { srv.Close() })
			c := srv.Client(testKey, testSecret)
			body := bytes.Repeat([]byte("x"), size)
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("rec"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
