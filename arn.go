package recmock

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// S3Location is where an s3Arn points: a bucket and an optional key prefix.
type S3Location struct {
	Partition string // "aws", "aws-cn", ...
	Region    string // may be empty, as in real S3 ARNs
	AccountID string // may be empty
	Bucket    string
	Prefix    string // without leading or trailing slashes; may be empty
}

// Key is the object key for name under the location's prefix.
func (l S3Location) Key(name string) string {
	if l.Prefix == "" {
		return name
	}
	return l.Prefix + "/" + name
}

// The ARN's parts are checked with byte loops: this runs on every POST and PUT. Each loop
// says which pattern it stands for.

// isPartition matches ^aws(-[a-z]+)*$.
func isPartition(s string) bool {
	s, ok := strings.CutPrefix(s, "aws")
	if !ok {
		return false
	}
	for s != "" {
		if s[0] != '-' {
			return false
		}
		n := 1
		for n < len(s) && isLower(s[n]) {
			n++
		}
		if n == 1 {
			return false
		}
		s = s[n:]
	}
	return true
}

// isRegion matches ^[a-z0-9-]*$.
func isRegion(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isLower(c) && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// isAccount matches ^[0-9]*$.
func isAccount(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// isBucketName matches ^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$.
func isBucketName(s string) bool {
	if len(s) < 3 || len(s) > 63 {
		return false
	}
	first, last := s[0], s[len(s)-1]
	if !isLower(first) && !isDigit(first) || !isLower(last) && !isDigit(last) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isLower(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ParseS3ARN parses arn:{partition}:s3:{region}:{account-id}:{bucket}[/{key-prefix}].
//
// The bucket must be a valid S3 bucket name: 3-63 characters, lower-case letters, digits,
// dots and hyphens, starting and ending with a letter or digit, no "..", not formatted as an
// IP address (four numbers separated by dots). Underscores are accepted too, as legacy
// buckets have them and the vendor's own example ("folder_name") uses one. The key prefix
// may be any text without control characters.
func ParseS3ARN(s string) (S3Location, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return S3Location{}, fmt.Errorf("%q is not an ARN: want arn:{partition}:s3:{region}:{account-id}:{bucket}[/{key-prefix}]", s)
	}
	switch {
	case !isPartition(a.Partition):
		return S3Location{}, fmt.Errorf("partition %q is not an AWS partition such as aws or aws-cn", a.Partition)
	case a.Service != "s3":
		return S3Location{}, fmt.Errorf("service %q is not s3", a.Service)
	case !isRegion(a.Region):
		return S3Location{}, fmt.Errorf("region %q may hold only lower-case letters, digits and hyphens", a.Region)
	case !isAccount(a.AccountID):
		return S3Location{}, fmt.Errorf("account ID %q may hold only digits", a.AccountID)
	}
	bucket, prefix, _ := strings.Cut(a.Resource, "/")
	if msg := checkBucket(bucket); msg != "" {
		return S3Location{}, fmt.Errorf("bucket %q %s", bucket, msg)
	}
	if strings.ContainsFunc(prefix, isControl) {
		return S3Location{}, fmt.Errorf("key prefix %q must not contain control characters", prefix)
	}
	return S3Location{
		Partition: a.Partition,
		Region:    a.Region,
		AccountID: a.AccountID,
		Bucket:    bucket,
		Prefix:    strings.Trim(prefix, "/"),
	}, nil
}

func checkBucket(b string) string {
	switch {
	case b == "":
		return "is empty: the ARN must name a bucket"
	case len(b) < 3 || len(b) > 63:
		return "must be 3 to 63 characters long"
	case !isBucketName(b):
		return "may hold only lower-case letters, digits, dots, hyphens and underscores, and must start and end with a letter or digit"
	case strings.Contains(b, ".."):
		return "must not contain two dots in a row"
	case isDottedQuad(b):
		return "must not be formatted as an IP address (four numbers separated by dots)"
	}
	return ""
}

// isDottedQuad matches ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$: what S3 calls "formatted as an IP
// address", whatever the numbers.
func isDottedQuad(s string) bool {
	parts := 0
	for p := range strings.SplitSeq(s, ".") {
		if p == "" || !isAccount(p) {
			return false
		}
		parts++
	}
	return parts == 4
}

// isControl reports the C0 controls and DEL.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
