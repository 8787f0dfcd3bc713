package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"strconv"
)

// The bulk copy (postgres_load.go) sends rows to PostgreSQL in COPY's text
// format and checksums them in a canonical form that PostgreSQL can write
// back from its own side with a COPY of a query: the COPY text of every
// column except DOUBLE PRECISION ones, which are written as their eight
// IEEE 754 bytes (float8send), hex-encoded as bytea. The decimal text of a
// double differs between Go and PostgreSQL (exponent thresholds); its bits
// do not.

// pgType is the COPY encoding of a PostgreSQL column type.
type pgType int

const (
	pgText pgType = iota
	pgInt
	pgFloat
	pgBool
)

// pgTypeOf maps an information_schema data_type to its encoding.
func pgTypeOf(dataType string) (pgType, error) {
	switch dataType {
	case "text":
		return pgText, nil
	case "bigint", "integer", "smallint":
		return pgInt, nil
	case "double precision":
		return pgFloat, nil
	case "boolean":
		return pgBool, nil
	}
	return 0, fmt.Errorf("column type %s is not one the copy knows", dataType)
}

// copyRow encodes rows of one table: line is the COPY text sent to
// PostgreSQL, sum the checksum's form of the same row.
type copyRow struct {
	types      []pgType
	line, sum  []byte
	table      string
	columns    []string
	hash       hash.Hash
	rows       int64
	tmp        [8]byte
	hexScratch [16]byte
}

func newCopyRow(table string, columns []string, types []pgType) *copyRow {
	return &copyRow{table: table, columns: columns, types: types, hash: sha256.New()}
}

// encode fills line and sum with one row read from SQLite and adds sum to
// the table's checksum.
func (e *copyRow) encode(vals []any) error {
	e.line, e.sum = e.line[:0], e.sum[:0]
	for i, v := range vals {
		if i > 0 {
			e.line = append(e.line, '\t')
			e.sum = append(e.sum, '\t')
		}
		if err := e.value(i, v); err != nil {
			return fmt.Errorf("%s.%s (row %d): %w", e.table, e.columns[i], e.rows+1, err)
		}
	}
	e.line = append(e.line, '\n')
	e.sum = append(e.sum, '\n')
	e.hash.Write(e.sum)
	e.rows++
	return nil
}

// value appends one column, converted from SQLite's dynamic type to the
// PostgreSQL column's, as PostgreSQL would store it.
func (e *copyRow) value(i int, v any) error {
	if v == nil {
		e.line = append(e.line, `\N`...)
		e.sum = append(e.sum, `\N`...)
		return nil
	}
	switch e.types[i] {
	case pgInt:
		var n int64
		switch x := v.(type) {
		case int64:
			n = x
		case float64:
			if x != math.Trunc(x) || math.Abs(x) >= 1<<63 {
				return fmt.Errorf("%v is not an integer", x)
			}
			n = int64(x)
		default:
			return fmt.Errorf("%T %v is not an integer", v, v)
		}
		e.line = strconv.AppendInt(e.line, n, 10)
		e.sum = strconv.AppendInt(e.sum, n, 10)
	case pgFloat:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case int64:
			f = float64(x)
		default:
			return fmt.Errorf("%T %v is not a number", v, v)
		}
		switch {
		case math.IsNaN(f):
			e.line = append(e.line, "NaN"...)
			f = math.Float64frombits(0x7ff8000000000000) // PostgreSQL's NaN
		case math.IsInf(f, 1):
			e.line = append(e.line, "Infinity"...)
		case math.IsInf(f, -1):
			e.line = append(e.line, "-Infinity"...)
		default:
			// The shortest decimal that reads back as the same double.
			e.line = strconv.AppendFloat(e.line, f, 'g', -1, 64)
		}
		binary.BigEndian.PutUint64(e.tmp[:], math.Float64bits(f))
		hex.Encode(e.hexScratch[:], e.tmp[:])
		e.sum = append(e.sum, `\\x`...)
		e.sum = append(e.sum, e.hexScratch[:]...)
	case pgBool:
		n, ok := v.(int64)
		if !ok {
			if b, isBool := v.(bool); isBool {
				n, ok = map[bool]int64{false: 0, true: 1}[b], true
			}
		}
		if !ok || (n != 0 && n != 1) {
			return fmt.Errorf("%T %v is not a boolean (0 or 1)", v, v)
		}
		c := byte('f')
		if n == 1 {
			c = 't'
		}
		e.line = append(e.line, c)
		e.sum = append(e.sum, c)
	default:
		var s string
		switch x := v.(type) {
		case string:
			s = x
		case []byte:
			s = string(x)
		case int64:
			s = strconv.FormatInt(x, 10)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			return fmt.Errorf("%T %v is not text", v, v)
		}
		start := len(e.line)
		e.line = appendCopyText(e.line, s)
		e.sum = append(e.sum, e.line[start:]...)
	}
	return nil
}

// appendCopyText appends s escaped as COPY's text format escapes it on
// output: a backslash before a backslash, and \b \f \n \r \t \v for those
// control characters; every other byte as it is.
func appendCopyText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\v':
			b = append(b, '\\', 'v')
		default:
			b = append(b, c)
		}
	}
	return b
}

// checksumSelect returns the columns of a SELECT whose COPY text is the
// checksum's form of a row (see copyRow): doubles as their bytes.
func checksumSelect(columns []string, types []pgType) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		if types[i] == pgFloat {
			out[i] = "float8send(" + c + ")"
		} else {
			out[i] = c
		}
	}
	return out
}

// copyHash counts the rows of a COPY TO stream and checksums it.
type copyHash struct {
	hash.Hash
	rows int64
}

func (h *copyHash) Write(p []byte) (int, error) {
	h.rows += int64(bytes.Count(p, []byte{'\n'}))
	return h.Hash.Write(p)
}
