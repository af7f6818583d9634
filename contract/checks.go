package contract

import "slices"

// The values write checks send. Nothing can be delivered to them, so a recording that
// completes during a run notifies nobody: the URL's host is under .invalid, the addresses
// are under example.com and example.org, and the S3 credentials are fake.
const (
	hookURL    = "https://contract.recmock.invalid/hook"
	testARN    = "arn:aws:s3:::recmock-contract/recordings"
	testKeyID  = "AKIARECMOCKCONTRACT"
	testSecret = "recmock-contract-secret"
)

// Checks returns the API checks, in the order they run. The checks that can only be asked of
// an account without settings come first, before anything creates some; the rest set up the
// state they need themselves.
func Checks() []Check {
	return slices.Concat(
		withoutSettingsChecks(),
		envelopeChecks(),
		authChecks(),
		notifyChecks(),
		urlChecks(),
		emailChecks(),
		s3Checks(),
		inputChecks(),
		semanticsChecks(),
		decisionChecks(),
	)
}
