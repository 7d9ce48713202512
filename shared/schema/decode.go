package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"

	"github.com/scimfaas/scimfaas/shared/scimerr"
)

// DecodeObject decodes a request body that must hold one JSON object, with
// numbers as json.Number. It returns a 400 invalidSyntax error that locates
// the problem without echoing the body, which may carry personal data.
func DecodeObject(body []byte) (map[string]any, error) {
	decoder := json.NewDecoder(bytes.NewReader(body))
	decoder.UseNumber()

	var object map[string]any
	if err := decoder.Decode(&object); err != nil {
		return nil, scimerr.BadRequest(scimerr.InvalidSyntax, "the request body is not a JSON object: %s", jsonProblem(err))
	}
	if object == nil {
		return nil, scimerr.BadRequest(scimerr.InvalidSyntax, "the request body is not a JSON object: got null")
	}
	if _, err := decoder.Token(); !errors.Is(err, io.EOF) {
		return nil, scimerr.BadRequest(scimerr.InvalidSyntax, "the request body holds data after its JSON object")
	}
	return object, nil
}

func jsonProblem(err error) string {
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return "invalid JSON at byte " + strconv.FormatInt(syntaxErr.Offset, 10)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return "expected a JSON object, got " + typeErr.Value
	}
	if errors.Is(err, io.EOF) {
		return "the body is empty"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the JSON ends early"
	}
	return "invalid JSON"
}
