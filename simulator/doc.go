// Package simulator plays the vendor's recording server: it builds "recording completed"
// events and delivers them the three ways the Temasys Recording Notification API promises.
//
// For an account whose notify is true, [Simulator.NotifyRecording]:
//
//  1. uploads a small real MP4 (recmock.SampleRecording, or Config.Recording) with the
//     account's S3 credentials to <prefix>/<meetingId>.mp4 in the bucket of its s3Arn, or to
//     Config.DefaultBucket when the account has no S3 settings;
//  2. POSTs the RecordingCompletedEvent JSON to the account's url, with retries (network
//     errors, 5xx and 429; exponential backoff with full jitter, or Retry-After on 429 and
//     503), every attempt recorded in a bounded delivery log served by [Simulator.Handler];
//     its retrievalUrl is an S3 presigned GET URL that downloads the MP4;
//  3. e-mails the account's addresses through SMTP: a multipart/alternative message naming
//     the room, the participants, the start and end times and the retrievalUrl.
//
// Each channel's outcome is reported on its own, and one failing never stops the others: a
// failed upload still sends the webhook and the e-mail, with a retrievalUrl that is well
// formed but points at a missing object, and the outcome says so.
//
// Events are realistic (room names such as "design-review-42", 1 to 12 participants, calls of
// 2 to 92 minutes, unixTime in seconds some seconds after the call ends) and reproducible:
// the same Config.Rand seed and Config.Now clock give the same events, MIME boundaries and
// Message-IDs. Every field can be overridden.
//
// [Simulator.Fire] sends a batch straight to a receiver, without S3 or e-mail, for load and
// robustness tests; recmock simulate --url is built on it.
//
// # Variants
//
// Fire can send events that real senders send sooner or later, to check that a receiver
// copes. What a careful receiver does with each:
//
//   - duplicate: every event twice, byte for byte the same (same meetingId). Answer 2xx
//     both times and act once: key on meetingId, since retries make duplicates normal.
//   - missing-fields: one to three required fields left out. Answer 4xx (400 or 422)
//     naming what is missing, or 2xx and drop it; never 5xx, which only earns retries.
//   - wrong-types: one to three fields of the wrong JSON type (unixTime as a string,
//     participants as "4", a time as a number, ...). Answer 4xx without crashing, or 2xx and
//     drop it; never 5xx, and do not coerce silently into wrong values.
//   - extra-fields: valid events with fields the spec does not name (objects, arrays,
//     nulls). Ignore unknown fields and answer 2xx: the payload may grow.
//   - large-values: valid events with very large values (a 256 KiB roomId, a 4 KiB
//     meetingId, participants 2^31, unixTime in year 9999). Bound the body read and answer
//     2xx or 413/400 deliberately; never crash, time out or overflow an int32.
//
// A delivery counts as succeeded when the receiver answered as [Variant.Handles] expects:
// 2xx, or for missing-fields, wrong-types and large-values also a 4xx other than 429.
package simulator
