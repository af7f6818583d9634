package mock

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/recmock/recmock"
)

// routes maps each operationId of openapi.yaml to its handler.
func (s *Server) routes() map[string]handlerFunc {
	h := map[string]handlerFunc{
		"createNotificationSettings":  s.createSettings,
		"getNotificationSettings":     s.getSettings,
		"replaceNotificationSettings": s.replaceSettings,
		"adminHealth":                 s.adminHealth,
		"adminReset":                  s.adminReset,
		"adminListSettings":           s.adminListSettings,
		"adminPutSettings":            s.adminPutSettings,
		"adminDeleteSettings":         s.adminDeleteSettings,
		"adminListRequests":           s.adminListRequests,
		"adminClearRequests":          s.adminClearRequests,
		"adminListFaults":             s.adminListFaults,
		"adminAddFault":               s.adminAddFault,
		"adminClearFaults":            s.adminClearFaults,
		"adminSimulateRecording":      s.adminSimulateRecording,
	}
	// Operations under a mount are served by the mounted handler; without one they answer 501.
	for _, op := range []string{"adminListDeliveries", "adminClearDeliveries", "adminListEmails", "adminDeleteEmails", "adminGetEmail", "adminDeleteEmail", "adminWaitEmail", "adminGetEmailRaw", "adminListObjects", "adminDownloadObject"} {
		h[op] = s.serveMount
	}
	return h
}

func (s *Server) createSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := s.settingsInput(r, c, c.account.Username)
	if err != nil {
		return err
	}
	if err := s.store.Create(r.Context(), in); err != nil {
		if errors.Is(err, ErrExists) {
			return recmock.Errorf(recmock.CodeConflict, "account %q already has notification settings; change them with PUT", c.account.Username)
		}
		return err
	}
	recmock.WriteJSON(w, http.StatusOK, recmock.Success(in))
	return nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	got, err := s.store.Get(r.Context(), c.account.Username)
	if err != nil {
		return notFound(err, c.account.Username)
	}
	recmock.WriteJSON(w, http.StatusOK, recmock.Success(got))
	return nil
}

func (s *Server) replaceSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	in, err := s.settingsInput(r, c, c.account.Username)
	if err != nil {
		return err
	}
	if err := s.store.Replace(r.Context(), in); err != nil {
		return notFound(err, c.account.Username)
	}
	recmock.WriteJSON(w, http.StatusOK, recmock.Success(in))
	return nil
}

func notFound(err error, username string) error {
	if errors.Is(err, ErrNotFound) {
		return recmock.Errorf(recmock.CodeNotFound, "account %q has no notification settings; create them with POST", username)
	}
	return err
}

// settingsInput validates a POST or PUT body against openapi.yaml, then applies the rules the
// schema cannot express. When the schema fails, the other rules still run on what could be
// read, so one answer names every broken rule.
func (s *Server) settingsInput(r *http.Request, c *call, username string) (recmock.Settings, error) {
	body, err := s.v.ValidateRequestJSON(r.Context(), r, c.route, c.body)
	if err != nil {
		return recmock.Settings{}, mergeRuleErrors(err, c.body, username)
	}
	// The body is decoded once, for the schema, and its fields are taken from that.
	in, err := recmock.SettingsInputFromJSON(body)
	if err != nil {
		return recmock.Settings{}, err
	}
	return in.Settings(username)
}

// mergeRuleErrors adds to a schema error the rule errors of fields the schema let through.
func mergeRuleErrors(schemaErr error, body []byte, username string) error {
	var se *recmock.Error
	var raw map[string]any
	if !errors.As(schemaErr, &se) || json.Unmarshal(body, &raw) != nil {
		return schemaErr
	}
	str := func(k string) *string {
		if v, ok := raw[k].(string); ok {
			return &v
		}
		return nil
	}
	on := recmock.Notify(true)
	in := recmock.SettingsInput{Notify: &on, URL: str("url"), Email: str("email"), S3Arn: str("s3Arn"), S3AccessKeyID: str("s3AccessKeyId"), S3SecretAccessKey: str("s3SecretAccessKey")}
	// A field the schema refused counts as given for the S3 all-or-none rule.
	for k, p := range map[string]**string{"s3Arn": &in.S3Arn, "s3AccessKeyId": &in.S3AccessKeyID, "s3SecretAccessKey": &in.S3SecretAccessKey} {
		if _, ok := raw[k]; ok && *p == nil {
			x := "given"
			*p = &x
		}
	}
	_, err := in.Settings(username)
	var re *recmock.Error
	if !errors.As(err, &re) {
		return schemaErr
	}
	out := *se
	out.Fields = slices.Clone(se.Fields)
	for _, f := range re.Fields {
		if !slices.ContainsFunc(out.Fields, func(g recmock.FieldError) bool { return g.Field == f.Field }) {
			out.Fields = append(out.Fields, f)
		}
	}
	slices.SortStableFunc(out.Fields, func(a, b recmock.FieldError) int {
		switch {
		case a.Field < b.Field:
			return -1
		case a.Field > b.Field:
			return 1
		}
		return 0
	})
	return &out
}

// serveMount hands a request to the admin sub-API mounted at its path.
func (s *Server) serveMount(w http.ResponseWriter, r *http.Request, c *call) error {
	for _, m := range s.mounts {
		if r.URL.Path == m.prefix || len(r.URL.Path) > len(m.prefix) && r.URL.Path[:len(m.prefix)+1] == m.prefix+"/" {
			http.StripPrefix(m.prefix, m.h).ServeHTTP(w, r)
			return nil
		}
	}
	return recmock.Errorf(recmock.CodeNotImplemented, "%s %s: this recmock was started without the part that serves it", r.Method, r.URL.Path)
}

// reset forgets the mock's state and runs the OnReset hooks, reporting the first failure.
func (s *Server) reset(ctx context.Context) error {
	var errs []error
	errs = append(errs, s.store.Reset(ctx))
	s.journal.Reset()
	s.faults.reset()
	for _, f := range s.cfg.OnReset {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}
