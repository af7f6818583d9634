package recmock

import (
	"fmt"
	"net/netip"
	"regexp"
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

var (
	partitionRE = regexp.MustCompile(`^aws(-[a-z]+)*$`)
	regionRE    = regexp.MustCompile(`^[a-z0-9-]*$`)
	accountRE   = regexp.MustCompile(`^[0-9]*$`)
	bucketRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$`)
)

// ParseS3ARN parses arn:{partition}:s3:{region}:{account-id}:{bucket}[/{key-prefix}].
//
// The bucket must be a valid S3 bucket name: 3-63 characters, lower-case letters, digits,
// dots and hyphens, starting and ending with a letter or digit, no "..", not an IP address.
// Underscores are accepted too, as legacy buckets have them and the vendor's own example
// ("folder_name") uses one.
func ParseS3ARN(s string) (S3Location, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return S3Location{}, fmt.Errorf("%q is not an ARN: want arn:{partition}:s3:{region}:{account-id}:{bucket}[/{key-prefix}]", s)
	}
	switch {
	case !partitionRE.MatchString(a.Partition):
		return S3Location{}, fmt.Errorf("partition %q is not an AWS partition such as aws or aws-cn", a.Partition)
	case a.Service != "s3":
		return S3Location{}, fmt.Errorf("service %q is not s3", a.Service)
	case !regionRE.MatchString(a.Region):
		return S3Location{}, fmt.Errorf("region %q may hold only lower-case letters, digits and hyphens", a.Region)
	case !accountRE.MatchString(a.AccountID):
		return S3Location{}, fmt.Errorf("account ID %q may hold only digits", a.AccountID)
	}
	bucket, prefix, _ := strings.Cut(a.Resource, "/")
	if msg := checkBucket(bucket); msg != "" {
		return S3Location{}, fmt.Errorf("bucket %q %s", bucket, msg)
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
	case !bucketRE.MatchString(b):
		return "may hold only lower-case letters, digits, dots, hyphens and underscores, and must start and end with a letter or digit"
	case strings.Contains(b, ".."):
		return "must not contain two dots in a row"
	}
	if _, err := netip.ParseAddr(b); err == nil {
		return "must not be an IP address"
	}
	return ""
}
