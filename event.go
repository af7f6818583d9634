package recmock

import (
	"context"
	"time"
)

// RecordingEvent is the "recording completed" webhook payload.
type RecordingEvent struct {
	MeetingID    string    `json:"meetingId"`
	APIKey       string    `json:"apiKey"`
	UnixTime     int64     `json:"unixTime"` // seconds, at mixing completion
	RoomID       string    `json:"roomId"`
	Participants int       `json:"participants"`
	StartTime    time.Time `json:"startTime"` // UTC, whole seconds
	EndTime      time.Time `json:"endTime"`   // UTC, whole seconds
	RetrievalURL string    `json:"retrievalUrl"`
}

// RecordingOverrides are event fields to use instead of generated ones; nil means generate.
type RecordingOverrides struct {
	MeetingID    *string    `json:"meetingId,omitempty"`
	UnixTime     *int64     `json:"unixTime,omitempty"`
	RoomID       *string    `json:"roomId,omitempty"`
	Participants *int       `json:"participants,omitempty"`
	StartTime    *time.Time `json:"startTime,omitempty"`
	EndTime      *time.Time `json:"endTime,omitempty"`
}

// RecordingRequest is the body of POST /_admin/recordings.
type RecordingRequest struct {
	Username string `json:"username"`
	RecordingOverrides
}

// Outcome statuses of one channel.
const (
	OutcomeOK      = "ok"
	OutcomeFailed  = "failed"
	OutcomeSkipped = "skipped"
)

// Outcome is what happened on one channel.
type Outcome struct {
	Status  string `json:"status"`            // OutcomeOK, OutcomeFailed or OutcomeSkipped
	Message string `json:"message,omitempty"` // why it failed or was skipped
}

// S3Outcome is the upload's outcome.
type S3Outcome struct {
	Outcome
	Bucket string `json:"bucket,omitempty"`
	Key    string `json:"key,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

// WebhookOutcome is the webhook delivery's outcome, with every attempt.
type WebhookOutcome struct {
	Outcome
	URL        string    `json:"url,omitempty"`
	DeliveryID string    `json:"deliveryId,omitempty"`
	Attempts   []Attempt `json:"attempts,omitempty"`
}

// EmailOutcome is the notification e-mail's outcome.
type EmailOutcome struct {
	Outcome
	Recipients []string `json:"recipients,omitempty"`
	MessageID  string   `json:"messageId,omitempty"`
}

// RecordingResult is the event sent and what happened on each channel.
type RecordingResult struct {
	Event   RecordingEvent `json:"event"`
	S3      S3Outcome      `json:"s3"`
	Webhook WebhookOutcome `json:"webhook"`
	Email   EmailOutcome   `json:"email"`
}

// Attempt is one try at delivering a webhook.
type Attempt struct {
	N               int       `json:"n"` // 1 for the first attempt
	Time            time.Time `json:"time"`
	Status          int       `json:"status,omitempty"` // absent when no answer came
	LatencyMs       float64   `json:"latencyMs"`
	Error           string    `json:"error,omitempty"`
	ResponseExcerpt string    `json:"responseExcerpt,omitempty"`
}

// Delivery statuses.
const (
	DeliveryPending = "pending"
	DeliveryOK      = "ok"
	DeliveryFailed  = "failed"
)

// Delivery is one webhook delivery: an event, its receiver and every attempt.
type Delivery struct {
	ID       string         `json:"id"`
	URL      string         `json:"url"`
	Username string         `json:"username,omitempty"`
	Event    RecordingEvent `json:"event"`
	Status   string         `json:"status"`
	Attempts []Attempt      `json:"attempts"`
}

// Notifier runs the recording-completed flow for an account: S3 upload, webhook, e-mail. The
// mock reaches the simulator only through this interface.
//
// An error means no event could be built (invalid overrides, say); a channel's failure is
// reported in the result and never stops the other channels.
type Notifier interface {
	NotifyRecording(ctx context.Context, acct Account, s Settings, o RecordingOverrides) (RecordingResult, error)
}
