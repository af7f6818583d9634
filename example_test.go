package recmock_test

import (
	"encoding/json"
	"fmt"
	"strings"

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

func ExampleParseSettings() {
	var body any
	dec := json.NewDecoder(strings.NewReader(`{"notify":1,"email":"a@b.com;b@c.com","s3Arn":"arn:aws:s3:::bkt"}`))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		panic(err)
	}
	_, err := recmock.ParseSettings(body, "temasys")
	fmt.Println(err)
	// Output:
	// invalid input: s3AccessKeyId: required when s3Arn is given (the three S3 fields go together); s3SecretAccessKey: required when s3Arn is given (the three S3 fields go together)
}

func ExampleSettings_Input() {
	s := recmock.Settings{Username: "temasys", Notify: true, Email: []string{"a@b.com", "b@c.com"}}
	body, _ := json.Marshal(s.Input())
	fmt.Println(string(body))
	// Output: {"notify":true,"email":"a@b.com,b@c.com"}
}

func ExampleRedactBody() {
	fmt.Println(string(recmock.RedactBody([]byte(`{"notify":true,"s3SecretAccess\u004bey":"hunter2"}`))))
	fmt.Println(recmock.RedactQuery("user=a&s3SecretAccessKey=hunter2"))
	// Output:
	// {"notify":true,"s3SecretAccess\u004bey":"***"}
	// user=a&s3SecretAccessKey=***
}

func ExampleErrorEnvelope() {
	status, env := recmock.ErrorEnvelope(recmock.Errorf(recmock.CodeNotFound, "account %q has no notification settings", "temasys"))
	fmt.Println(status, env.Status, env.Content.Message)
	// Output: 404 0 not found: account "temasys" has no notification settings
}

func ExampleParseAccount() {
	a, err := recmock.ParseAccount("acme:acme-key:s3cr:et")
	fmt.Println(a, err)
	// Output: acme (apiKey acme-key) <nil>
}
