package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// decodeJSON reads one JSON object from the body into v, refusing unknown
// fields, trailing data, bodies over the limit (413) and bodies not sent
// as application/json (415, before reading anything).
func decodeJSON(c *gin.Context, v any) error {
	if err := requireJSON(c.Request); err != nil {
		return err
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errBadRequestf("the request body could not be read")
	}
	// encoding/json would replace invalid bytes with U+FFFD, silently
	// saving text other than what was sent.
	if !utf8.Valid(body) {
		return errBadRequestf("the request body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return errBadRequestf("the request body is empty; send a JSON object")
		}
		return errBadRequestf("the request body is not valid JSON for this call: %s", jsonProblem(err))
	}
	if dec.More() {
		return errBadRequestf("the request body has data after the JSON object")
	}
	return nil
}

// errUnsupportedMediaType is the answer to a JSON call whose body is not
// declared as JSON: a form or text/plain body is what a cross-site form
// can send, so it is never read as JSON.
var errUnsupportedMediaType = &publicError{http.StatusUnsupportedMediaType, "unsupported_media_type",
	"send the request body as JSON, with the header Content-Type: application/json"}

// requireJSON refuses a request whose Content-Type is not
// application/json (parameters such as charset=utf-8 allowed). A request
// without a body passes: decoding then says the body is empty.
func requireJSON(r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return nil
	}
	if mediaType(r) != "application/json" {
		return errUnsupportedMediaType
	}
	return nil
}

// mediaType is r's Content-Type without its parameters, lower-cased; ""
// if it does not parse.
func mediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return ""
	}
	return mt
}

// jsonProblem describes a JSON decoding error without echoing the body.
func jsonProblem(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "syntax error at byte " + strconv.FormatInt(se.Offset, 10)
	case errors.As(err, &te) && te.Field == "":
		return "the body must be a JSON object, not " + jsonKind(te.Value)
	case errors.As(err, &te):
		return "field " + strconv.Quote(te.Field) + " must be " + jsonType(te.Type.Kind()) + ", not " + jsonKind(te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return "unknown field " + strings.TrimPrefix(err.Error(), "json: unknown field ")
	default:
		return "malformed"
	}
}

// jsonType names the JSON a Go kind decodes from, in the words of JSON
// (never a Go type name: "web.apiSaveRequest" tells a client nothing).
func jsonType(k reflect.Kind) string {
	switch k {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "an object"
	}
}

// jsonKind names what UnmarshalTypeError.Value says was sent ("array",
// "number 1.5", "string", ...).
func jsonKind(v string) string {
	switch {
	case v == "array":
		return "a list"
	case v == "object":
		return "an object"
	case strings.HasPrefix(v, "number "):
		return strings.TrimPrefix(v, "number ") // "not 1.5", "not 1e20"
	case strings.HasPrefix(v, "number"):
		return "a number"
	case v == "bool":
		return "true or false"
	case v == "":
		return "that"
	default:
		return "a " + v
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
