// Package s3 is a fake Amazon S3 for tests and offline development: real
// clients (aws-sdk-go-v2, the aws CLI) use it unchanged with path-style
// addressing, and presigned URLs work.
//
// Storage is gofakes3: in memory by default, or a bbolt file
// (Config.DataPath) so objects survive a restart.
//
// # Modes
//
// By default any credentials, or none, are accepted, and the first write to
// a bucket (PutObject, CreateMultipartUpload) creates it, so nothing needs
// setting up.
//
// In strict mode (Config.Strict) the fake behaves like AWS towards callers
// with the wrong credentials. Every request must carry an AWS Signature
// Version 4, in the Authorization header or as a presigned URL
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature), from an access key in
// Config.Credentials. The signature is checked by rebuilding the request
// restricted to its SignedHeaders and signing it again with the AWS SDK's own
// signer at the request's X-Amz-Date. Failures answer S3's XML error with
// HTTP 403: InvalidAccessKeyId, SignatureDoesNotMatch (carrying the
// CanonicalRequest and StringToSign the fake computed, as S3 does),
// AccessDenied for unsigned requests and for presigned URLs past
// X-Amz-Expires ("Request has expired"), and RequestTimeTooSkewed for a
// header-signed request more than 15 minutes off Config.Now. Buckets must
// exist (NoSuchBucket otherwise).
//
// In both modes the fake decodes aws-chunked bodies (all STREAMING-* payload
// types), checks a hex X-Amz-Content-Sha256 (XAmzContentSHA256Mismatch) and
// the CRC32, CRC32C, CRC64NVME, SHA1 and SHA256 flexible checksums, in
// headers or aws-chunked trailers (BadDigest), and bounds objects by
// Config.MaxObjectBytes (EntityTooLarge). In strict mode the chunk
// signatures of STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are checked too;
// the trailer signature of STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER is not.
//
// # Limits
//
// The fake is meant for a developer's machine, but must survive what anyone
// who can reach it, or any web page its user opens, may send:
//
//   - CORS is answered for Config.CORSOrigins only; a request from any other
//     origin, preflight or not, gets 403 AccessForbidden (gofakes3 alone
//     answers "*" to everyone);
//   - Config.MaxBytes bounds what is stored and being uploaded together
//     (507 XMinioStorageFull), Config.MaxObjectBytes each object;
//   - Config.ReadHeaderTimeout, ReadTimeout, WriteTimeout (both stretched by
//     MinRate for large bodies), IdleTimeout and MaxHeaderBytes bound each
//     connection, and Close gives requests Config.ShutdownTimeout, then closes
//     their connections and logs them.
//
// # Not checked
//
// The region in the credential scope is not compared with Config.Region
// (S3 would redirect; the fake signs with whatever region the client used).
// Session tokens are not validated. SigV2 and SigV4a are refused as
// unsupported. Headers the SDK signer never signs (User-Agent, Expect,
// X-Amzn-Trace-Id), and a signed "content-length: 0", cannot be rebuilt, so
// a client that signs them fails with SignatureDoesNotMatch.
//
// # Clients
//
// Server.Client returns an aws-sdk-go-v2 client set up as
// config.LoadDefaultConfig would (CRC32 checksums on uploads) but pointed at
// the fake with path-style addressing. The aws CLI needs
// "--endpoint-url URL" and, in its config file,
//
//	[default]
//	s3 =
//	    addressing_style = path
//	    signature_version = s3v4
//
// the last line because aws CLI v1 presigns with SigV2 when given an
// endpoint URL, which strict mode refuses (InvalidRequest).
//
// # When not to use
//
// Objects live in memory while they are written (gofakes3 reads whole
// bodies), so the fake is for test fixtures and recordings, not for large
// data; see Config.MaxObjectBytes and Config.MaxBytes. It does not do TLS,
// virtual-host addressing, versioning, IAM policies beyond
// Config.CredentialBuckets, ACLs, object lock, or lifecycle rules, and it
// is not a security boundary: strict mode exists so that wrong credentials
// fail in tests as they would on AWS.
package s3
