package recmock_test

import (
	"fmt"

	"github.com/recmock/recmock"
)

func ExampleSplitEmails() {
	addrs, errs := recmock.SplitEmails("a@b.com; b@c.com  c@d.com,a@b.com, nope")
	fmt.Println(addrs)
	fmt.Println(errs)
	// Output:
	// [a@b.com b@c.com c@d.com]
	// [email: "nope" is not a valid e-mail address]
}

func ExampleParseS3ARN() {
	loc, err := recmock.ParseS3ARN("arn:aws:s3:eu-west-1::recordings/acme/2026")
	if err != nil {
		panic(err)
	}
	fmt.Println(loc.Bucket, loc.Key("meeting-1.mp4"))
	_, err = recmock.ParseS3ARN("arn:aws:s3:::Recordings")
	fmt.Println(err)
	// Output:
	// recordings acme/2026/meeting-1.mp4
	// bucket "Recordings" may hold only lower-case letters, digits, dots, hyphens and underscores, and must start and end with a letter or digit
}

func ExampleDecodeSettingsInput() {
	in, err := recmock.DecodeSettingsInput([]byte(`{"notify":1,"email":"a@b.com;b@c.com","s3Arn":"arn:aws:s3:::bkt"}`))
	if err != nil {
		panic(err)
	}
	_, err = in.Settings("temasys")
	fmt.Println(err)
	// Output:
	// invalid input: s3AccessKeyId: required when s3Arn is given (the three S3 fields go together); s3SecretAccessKey: required when s3Arn is given (the three S3 fields go together)
}

func ExampleErrorEnvelope() {
	status, env := recmock.ErrorEnvelope(recmock.Errorf(recmock.CodeNotFound, "account %q has no notification settings", "temasys"))
	fmt.Println(status, env.Status, env.Content.Message)
	// Output: 404 0 not found: account "temasys" has no notification settings
}

func ExampleValidator_ValidateSchema() {
	doc, err := recmock.LoadSpec()
	if err != nil {
		panic(err)
	}
	v, _ := recmock.NewValidator(doc)
	err = v.ValidateSchema("RecordingCompletedEvent", []byte(`{"meetingId":"m","apiKey":"k","unixTime":1,"roomId":"r","participants":0,"startTime":"2026-11-30T09:00:00Z","endTime":"2026-11-30T09:30:00Z","retrievalUrl":"http://x"}`))
	fmt.Println(err)
	// Output: invalid input: participants: must be at least 1
}

func ExampleParseAccount() {
	a, err := recmock.ParseAccount("acme:acme-key:s3cr:et")
	fmt.Println(a, err)
	// Output: acme (apiKey acme-key) <nil>
}
