package mock

import (
	"context"
	"errors"
	"net/http"

	"github.com/recmock/recmock"
	"github.com/recmock/recmock/internal/wire"
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
	in := c.settings
	in.Username = c.account.Username
	if err := s.store.Create(r.Context(), in); err != nil {
		if errors.Is(err, ErrExists) {
			return recmock.Errorf(recmock.CodeConflict, "account %q already has notification settings; change them with PUT", c.account.Username)
		}
		return err
	}
	wire.WriteJSON(w, http.StatusOK, recmock.Success(in))
	return nil
}

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	got, err := s.store.Get(r.Context(), c.account.Username)
	if err != nil {
		return notFound(err, c.account.Username)
	}
	wire.WriteJSON(w, http.StatusOK, recmock.Success(got))
	return nil
}

func (s *Server) replaceSettings(w http.ResponseWriter, r *http.Request, c *call) error {
	in := c.settings
	in.Username = c.account.Username
	if err := s.store.Replace(r.Context(), in); err != nil {
		return notFound(err, c.account.Username)
	}
	wire.WriteJSON(w, http.StatusOK, recmock.Success(in))
	return nil
}

func notFound(err error, username string) error {
	if errors.Is(err, ErrNotFound) {
		return recmock.Errorf(recmock.CodeNotFound, "account %q has no notification settings; create them with POST", username)
	}
	return err
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
	errs = append(errs, s.store.Reset(ctx), s.journal.Reset(ctx))
	s.faults.reset()
	for _, f := range s.cfg.OnReset {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}
