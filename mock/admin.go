package mock

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
)

type adminStatus struct {
	Status string `json:"status"`
}

var ok = adminStatus{Status: "ok"}

func (s *Server) adminHealth(w http.ResponseWriter, r *http.Request, c *call) error {
	wire.WriteJSON(w, http.StatusOK, ok)
	return nil
}

func (s *Server) adminReset(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := s.reset(r.Context()); err != nil {
		return recmock.Errorf(recmock.CodeInternal, "reset: %w", err)
	}
	wire.WriteJSON(w, http.StatusOK, ok)
	return nil
}

type accountSettings struct {
	Username string            `json:"username"`
	APIKey   string            `json:"apiKey"`
	Settings *recmock.Settings `json:"settings,omitempty"`
}

// adminListSettings answers every account with its settings, their secrets masked unless
// ?reveal=1. An account's own secret (its Basic password) is never answered; its apiKey is a
// name, shown in every request's Authorization header and webhook.
func (s *Server) adminListSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	reveal, err := mayReveal(r)
	if err != nil {
		return err
	}
	out := make([]accountSettings, 0, len(s.cfg.Accounts))
	for _, a := range s.cfg.Accounts {
		as := accountSettings{Username: a.Username, APIKey: a.APIKey}
		got, err := s.store.Get(r.Context(), a.Username)
		switch {
		case err == nil:
			if !reveal {
				got = got.Redacted()
			}
			as.Settings = &got
		case !errors.Is(err, ErrNotFound):
			return err
		}
		out = append(out, as)
	}
	wire.WriteJSON(w, http.StatusOK, map[string]any{"accounts": out})
	return nil
}

// account resolves the {username} path parameter to a configured account.
func (s *Server) account(c *call) (recmock.Account, error) {
	name := c.route.Param("username")
	a, found := s.byUser[name]
	if !found {
		return recmock.Account{}, recmock.Errorf(recmock.CodeNotFound, "no account %q; serve --account adds accounts", name)
	}
	return a, nil
}

// adminPutSettings stores an account's settings and answers them, secrets masked unless
// ?reveal=1. An S3 secret of "***", which is how every admin answer shows it, keeps the
// stored one: a client (the dashboard's form) can send back what it was answered without
// erasing the secret it never saw.
func (s *Server) adminPutSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	reveal, err := mayReveal(r)
	if err != nil {
		return err
	}
	a, err := s.account(c)
	if err != nil {
		return err
	}
	in := c.settings
	in.Username = a.Username
	if in.S3 != nil && in.S3.SecretAccessKey == recmock.Redacted {
		if err := s.keepSecret(r.Context(), &in); err != nil {
			return err
		}
	}
	if err := s.store.Put(r.Context(), in); err != nil {
		return err
	}
	if !reveal {
		in = in.Redacted()
	}
	wire.WriteJSON(w, http.StatusOK, recmock.Success(in))
	return nil
}

// keepSecret replaces the "***" S3 secret of in with the stored one, which must belong to
// the same access key: a new key with the old key's secret would only fail later, at upload.
func (s *Server) keepSecret(ctx context.Context, in *recmock.Settings) error {
	stored, err := s.store.Get(ctx, in.Username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	switch {
	case stored.S3 == nil:
		return recmock.Invalid(recmock.FieldError{Field: "s3SecretAccessKey", Message: fmt.Sprintf(
			"%q stands for the stored secret, and account %q has no S3 settings stored; give the secret itself", recmock.Redacted, in.Username)})
	case stored.S3.AccessKeyID != in.S3.AccessKeyID:
		return recmock.Invalid(recmock.FieldError{Field: "s3SecretAccessKey", Message: fmt.Sprintf(
			"%q stands for the stored secret, which belongs to access key %q, not %q; give the secret of %q", recmock.Redacted, stored.S3.AccessKeyID, in.S3.AccessKeyID, in.S3.AccessKeyID)})
	}
	s3 := *in.S3
	s3.SecretAccessKey = stored.S3.SecretAccessKey
	in.S3 = &s3
	return nil
}

func (s *Server) adminDeleteSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	a, err := s.account(c)
	if err != nil {
		return err
	}
	if err := s.store.Delete(r.Context(), a.Username); err != nil {
		return notFound(err, a.Username)
	}
	wire.WriteJSON(w, http.StatusOK, ok)
	return nil
}

// limit reads the limit query parameter, which openapi.yaml has already validated.
func limit(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		return 100
	}
	return n
}

func (s *Server) adminListRequests(w http.ResponseWriter, r *http.Request, c *call) error {
	page, err := s.journal.Newest(r.Context(), limit(r))
	if err != nil {
		return recmock.Errorf(recmock.CodeInternal, "journal: %w", err)
	}
	wire.WriteJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) adminClearRequests(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := s.journal.Reset(r.Context()); err != nil {
		return recmock.Errorf(recmock.CodeInternal, "journal: %w", err)
	}
	wire.WriteJSON(w, http.StatusOK, ok)
	return nil
}

func (s *Server) adminListFaults(w http.ResponseWriter, r *http.Request, c *call) error {
	wire.WriteJSON(w, http.StatusOK, map[string]any{"items": s.faults.all()})
	return nil
}

func (s *Server) adminAddFault(w http.ResponseWriter, r *http.Request, c *call) error {
	var f Fault
	if err := wire.DecodeInto(c.body, &f); err != nil {
		return err
	}
	f.ID, f.Remaining = 0, 0
	added, err := s.faults.add(f)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusCreated, added)
	return nil
}

func (s *Server) adminClearFaults(w http.ResponseWriter, r *http.Request, c *call) error {
	s.faults.reset()
	wire.WriteJSON(w, http.StatusOK, ok)
	return nil
}

func (s *Server) adminSimulateRecording(w http.ResponseWriter, r *http.Request, c *call) error {
	var req recmock.RecordingRequest
	if err := wire.DecodeInto(c.body, &req); err != nil {
		return err
	}
	a, found := s.byUser[req.Username]
	if !found {
		return recmock.Errorf(recmock.CodeNotFound, "no account %q; serve --account adds accounts", req.Username)
	}
	if s.cfg.Notifier == nil {
		return recmock.Errorf(recmock.CodeNotImplemented, "no recording simulator is configured")
	}
	settings, err := s.store.Get(r.Context(), a.Username)
	if err != nil {
		return notFound(err, a.Username)
	}
	res, err := s.cfg.Notifier.NotifyRecording(r.Context(), a, settings, req.RecordingOverrides)
	if err != nil {
		return err
	}
	wire.WriteJSON(w, http.StatusOK, res)
	return nil
}
