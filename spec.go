package recmock

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var specYAML []byte

// SpecYAML returns openapi.yaml exactly as it is in the repository.
func SpecYAML() []byte { return bytes.Clone(specYAML) }

// LoadSpec parses and validates the embedded OpenAPI document. Each call returns a fresh
// document, so callers may keep and modify theirs without affecting anyone else's.
func LoadSpec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specYAML)
	if err != nil {
		return nil, fmt.Errorf("recmock: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("recmock: validate openapi.yaml: %w", err)
	}
	return doc, nil
}
