package backup

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/reelvault/reelvault/domain"
)

// markerFile marks a folder as a Reelvault backup destination. It is written
// when the destination is added; a destination folder without it is taken
// for an empty mount point (the disk is not plugged in), never written to.
const markerFile = "reelvault-destination.json"

// markerVersion is the version of the marker document.
const markerVersion = 1

// ScryptWorkFactor is the scrypt work factor (log2 N) that protects an
// encrypted destination's key with its passphrase; age's default. Tests
// lower it.
var ScryptWorkFactor = 18

// marker is the content of markerFile.
//
// An encrypted destination has its own age X25519 key pair. Sets are
// encrypted to the public key (Recipient), so scheduled backups need no
// passphrase; the private key (Identity) is kept in the marker encrypted
// with the passphrase (age's scrypt recipient), so restoring needs it. The
// marker travels with the destination: a fresh install restores from the
// folder with nothing but the passphrase.
type marker struct {
	Version   int    `json:"version"`
	Name      string `json:"name"`
	Encrypted bool   `json:"encrypted"`
	Recipient string `json:"recipient,omitempty"` // age1…
	Identity  []byte `json:"identity,omitempty"`  // age (scrypt) encryption of AGE-SECRET-KEY-1…
}

// readMarker reads the marker of dir; ok is false when there is none.
func readMarker(dir string) (mk *marker, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, markerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("read destination marker: %w", err)
	}
	mk = &marker{}
	if err := json.Unmarshal(data, mk); err != nil || mk.Version != markerVersion {
		return nil, false, domain.Invalidf("dir", "%s holds a damaged %s; it is not a usable backup destination.", dir, markerFile)
	}
	return mk, true, nil
}

// newMarker returns the marker of a new destination, with a new key pair
// locked by passphrase when encrypt is set.
func newMarker(name string, encrypt bool, passphrase string) (*marker, error) {
	mk := &marker{Version: markerVersion, Name: name}
	if !encrypt {
		return mk, nil
	}
	if err := validPassphrase(passphrase); err != nil {
		return nil, err
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	r, err := age.NewScryptRecipient(passphrase)
	if err != nil {
		return nil, fmt.Errorf("passphrase key: %w", err)
	}
	r.SetWorkFactor(ScryptWorkFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("lock key: %w", err)
	}
	if _, err := io.WriteString(w, id.String()); err != nil {
		return nil, fmt.Errorf("lock key: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("lock key: %w", err)
	}
	mk.Encrypted, mk.Recipient, mk.Identity = true, id.Recipient().String(), buf.Bytes()
	return mk, nil
}

// MinPassphrase is the shortest passphrase accepted for an encrypted destination.
const MinPassphrase = 8

// validPassphrase bounds a new passphrase.
func validPassphrase(p string) error {
	if len(p) < MinPassphrase || len(p) > 1024 {
		return domain.Invalidf("passphrase", "The passphrase must be %d to 1024 characters long.", MinPassphrase)
	}
	return nil
}

// recipient returns the public key sets are encrypted to, nil when the
// destination is not encrypted.
func (mk *marker) recipient() (age.Recipient, error) {
	if mk == nil || !mk.Encrypted {
		return nil, nil
	}
	r, err := age.ParseX25519Recipient(mk.Recipient)
	if err != nil {
		return nil, fmt.Errorf("destination key: %w", err)
	}
	return r, nil
}

// unlock opens the private key with passphrase. A missing or wrong
// passphrase is EINVALID (field "passphrase") naming the destination.
func (mk *marker) unlock(passphrase, dest string) (age.Identity, error) {
	if passphrase == "" {
		return nil, domain.Invalidf("passphrase", "The backups of destination %q are encrypted: give its passphrase to restore them.", dest)
	}
	id, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		return nil, fmt.Errorf("passphrase key: %w", err)
	}
	r, err := age.Decrypt(bytes.NewReader(mk.Identity), id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) || strings.Contains(err.Error(), "incorrect") {
			return nil, domain.Invalidf("passphrase", "Wrong passphrase for the encrypted backups of destination %q; nothing was changed.", dest)
		}
		return nil, domain.Invalidf("passphrase", "The key of destination %q cannot be opened (%v); nothing was changed.", dest, err)
	}
	key, err := io.ReadAll(r)
	if err != nil {
		return nil, domain.Invalidf("passphrase", "Wrong passphrase for the encrypted backups of destination %q; nothing was changed.", dest)
	}
	x, err := age.ParseX25519Identity(strings.TrimSpace(string(key)))
	if err != nil {
		return nil, fmt.Errorf("destination key: %w", err)
	}
	return x, nil
}
