//go:build disttest

// The package checks of `make dist-test`: they read what `make dist` wrote
// to $DIST_DIR for the version $DIST_VERSION and prove that the .deb would
// install on a clean Debian 12 and open its window, that reelvault.exe is a
// Windows GUI program for amd64 carrying the build's version, and that the
// installer holds that very program.
package build_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/pe"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/reelvault/reelvault/app/desktop/xvfbtest"
)

// distFile returns the one file in $DIST_DIR matching pattern.
func distFile(t *testing.T, pattern string) string {
	t.Helper()
	dir := os.Getenv("DIST_DIR")
	if dir == "" {
		t.Fatal("DIST_DIR must name the folder `make dist` wrote (run make dist-test)")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, pattern))
	if len(matches) != 1 {
		t.Fatalf("%s in %s: found %v, want exactly one file", pattern, dir, matches)
	}
	return matches[0]
}

// version returns the version the artifacts were built with.
func version(t *testing.T) string {
	t.Helper()
	v := os.Getenv("DIST_VERSION")
	if v == "" {
		t.Fatal("DIST_VERSION must be the version of the build (run make dist-test)")
	}
	return v
}

// run runs a command and returns its standard output; it fails the test
// with the command's output when the command fails.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// deb returns the .deb and its control fields.
func deb(t *testing.T) (string, map[string]string) {
	t.Helper()
	path := distFile(t, "reelvault_*_amd64.deb")
	fields := map[string]string{}
	for _, line := range strings.Split(run(t, "dpkg-deb", "-f", path), "\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && !strings.HasPrefix(line, " ") {
			fields[k] = v
		}
	}
	return path, fields
}

// TestDeb_Control checks the package's metadata: name, the build's version,
// architecture, and the runtime dependencies of the window and its video.
func TestDeb_Control(t *testing.T) {
	path, f := deb(t)
	for k, want := range map[string]string{"Package": "reelvault", "Version": version(t), "Architecture": "amd64"} {
		if f[k] != want {
			t.Errorf("%s=%q, want %q", k, f[k], want)
		}
	}
	for _, dep := range []string{"libwebkit2gtk-4.0-37", "libgtk-3-0", "gstreamer1.0-libav", "gstreamer1.0-plugins-good", "gstreamer1.0-plugins-base"} {
		if !strings.Contains(", "+f["Depends"]+",", ", "+dep+",") {
			t.Errorf("Depends %q lacks %s", f["Depends"], dep)
		}
	}
	// dpkg-deb -I reads the whole archive's header: a broken one fails here.
	t.Log(run(t, "dpkg-deb", "-I", path))
}

// TestDeb_Contents checks the files the package installs.
func TestDeb_Contents(t *testing.T) {
	path, _ := deb(t)
	list := run(t, "dpkg-deb", "-c", path)
	want := []string{
		"./usr/bin/reelvault",
		"./usr/share/applications/reelvault.desktop",
		"./usr/share/man/man1/reelvault.1.gz",
	}
	for _, n := range []int{16, 32, 48, 64, 128, 256, 512} {
		want = append(want, fmt.Sprintf("./usr/share/icons/hicolor/%dx%d/apps/reelvault.png", n, n))
	}
	for _, w := range want {
		if !regexp.MustCompile(`(?m) ` + regexp.QuoteMeta(w) + `$`).MatchString(list) {
			t.Errorf("the package lacks %s:\n%s", w, list)
		}
	}
	if !regexp.MustCompile(`(?m)^-rwxr-xr-x root/root .* \./usr/bin/reelvault$`).MatchString(list) {
		t.Errorf("/usr/bin/reelvault is not an executable owned by root:\n%s", list)
	}
}

// TestDeb_Installs proves the package would install on a clean Debian 12:
// apt simulates installing the .deb against an empty dpkg status (a machine
// with nothing installed), so every Depends, and what they depend on, must
// resolve from the archive. Each shared library the binary links must then
// come from a package that install brings in.
func TestDeb_Installs(t *testing.T) {
	path, _ := deb(t)
	empty := filepath.Join(t.TempDir(), "status")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := run(t, "apt-get", "install", "--simulate", "--no-install-recommends", "-q",
		"-o", "Dir::State::status="+empty, "-o", "APT::Get::List-Cleanup=0", path)
	inst := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^Inst (\S+?)(:amd64)? `).FindAllStringSubmatch(out, -1) {
		inst[m[1]] = true
	}
	if !inst["reelvault"] {
		t.Fatalf("apt would not install reelvault:\n%s", out)
	}
	t.Logf("on a clean Debian 12, installing the .deb brings in %d packages", len(inst))

	root := t.TempDir()
	run(t, "dpkg", "-x", path, root)
	needed := regexp.MustCompile(`(?m)^\s*NEEDED\s+(\S+)$`).FindAllStringSubmatch(run(t, "objdump", "-p", filepath.Join(root, "usr/bin/reelvault")), -1)
	if len(needed) == 0 {
		t.Fatal("objdump lists no NEEDED libraries: the binary should link GTK and WebKitGTK")
	}
	for _, m := range needed {
		owner := libraryPackage(t, m[1])
		if !inst[owner] {
			t.Errorf("%s comes from %s, which installing the .deb does not bring in", m[1], owner)
		}
	}
}

// libraryPackage returns the installed package that ships the library soname.
func libraryPackage(t *testing.T, soname string) string {
	t.Helper()
	out, err := exec.Command("dpkg", "-S", "*/"+soname).Output()
	if err != nil {
		t.Fatalf("no installed package ships %s: %v", soname, err)
	}
	pkg, _, _ := strings.Cut(strings.SplitN(string(out), "\n", 2)[0], ":")
	return strings.TrimSpace(pkg)
}

// TestDeb_Window unpacks the package, launches its binary the way the
// desktop entry does (no arguments) on a clean data folder under Xvfb, waits
// until the window reports its first page, and takes a screenshot that must
// not be blank: .artifacts/screenshots/deb-window.png.
func TestDeb_Window(t *testing.T) {
	path, _ := deb(t)
	for _, tool := range []string{"Xvfb", "import", "identify"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing (make deps installs xvfb and imagemagick): %v", tool, err)
		}
	}
	root := t.TempDir()
	run(t, "dpkg", "-x", path, root)
	entry, err := os.ReadFile(filepath.Join(root, "usr/share/applications/reelvault.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(entry), "\nExec=reelvault\n") || !strings.Contains(string(entry), "\nIcon=reelvault\n") {
		t.Fatalf("desktop entry does not start reelvault with its icon:\n%s", entry)
	}

	display := xvfbtest.StartXvfb(t)
	home := t.TempDir()
	dataDir := filepath.Join(home, "data", "reelvault")
	cmd := exec.Command(filepath.Join(root, "usr/bin/reelvault"))
	cmd.Env = append(os.Environ(),
		"DISPLAY="+display,
		"WAYLAND_DISPLAY=",
		"HOME="+home,
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"),
		"XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_RUNTIME_DIR="+home,
		"REELVAULT_ADDR="+xvfbtest.FreeAddr(t),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	painted := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "first history page painted") {
				painted <- sc.Text()
			}
		}
		close(painted)
	}()
	select {
	case line, ok := <-painted:
		if !ok {
			t.Fatalf("the window exited before painting its first page:\n%s", stderr.String())
		}
		t.Log(line)
	case <-time.After(90 * time.Second):
		t.Fatalf("the window did not paint within 90 s:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dataDir, "reelvault.db")); err != nil {
		t.Errorf("the database was not created in the default data folder: %v", err)
	}

	time.Sleep(1500 * time.Millisecond) // fonts and the sidebar settle
	artifacts := os.Getenv("ARTIFACTS_DIR")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	shot := filepath.Join(artifacts, "screenshots", "deb-window.png")
	if err := os.MkdirAll(filepath.Dir(shot), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "import", "-display", display, "-window", "root", shot)
	var sd float64
	var colours int
	if _, err := fmt.Sscanf(run(t, "identify", "-format", "%[fx:standard_deviation] %k", shot), "%g %d", &sd, &colours); err != nil {
		t.Fatal(err)
	}
	if sd < 0.02 || colours < 64 {
		t.Fatalf("screenshot %s looks blank: standard deviation %.3f, %d colours", shot, sd, colours)
	}
	t.Logf("screenshot %s: standard deviation %.3f, %d colours", shot, sd, colours)
}

// TestTarball checks the plain archive: the same tree as the package under
// one reelvault_VERSION folder, ready to unpack into a prefix.
func TestTarball(t *testing.T) {
	path := distFile(t, "reelvault_*_linux_amd64.tar.gz")
	top := "reelvault_" + version(t) + "/"
	list := run(t, "tar", "-tvzf", path)
	for _, w := range []string{"bin/reelvault", "share/applications/reelvault.desktop", "share/icons/hicolor/256x256/apps/reelvault.png", "share/man/man1/reelvault.1.gz"} {
		if !strings.Contains(list, " "+top+w+"\n") {
			t.Errorf("the archive lacks %s%s:\n%s", top, w, list)
		}
	}
}

// TestExe checks reelvault.exe: a PE32+ image for amd64 with the GUI
// subsystem (no console window), whose version resource carries the build's
// version as its product and file version strings and the numeric part as
// its fixed file version.
func TestExe(t *testing.T) {
	path := distFile(t, "reelvault.exe")
	f, err := pe.Open(path)
	if err != nil {
		t.Fatalf("not a PE file: %v", err)
	}
	defer f.Close()
	if f.Machine != pe.IMAGE_FILE_MACHINE_AMD64 {
		t.Errorf("machine=%#x, want amd64 (%#x)", f.Machine, pe.IMAGE_FILE_MACHINE_AMD64)
	}
	oh, ok := f.OptionalHeader.(*pe.OptionalHeader64)
	if !ok {
		t.Fatalf("optional header %T, want PE32+", f.OptionalHeader)
	}
	if oh.Subsystem != pe.IMAGE_SUBSYSTEM_WINDOWS_GUI {
		t.Errorf("subsystem=%d, want the Windows GUI subsystem (%d)", oh.Subsystem, pe.IMAGE_SUBSYSTEM_WINDOWS_GUI)
	}
	rsrc := f.Section(".rsrc")
	if rsrc == nil {
		t.Fatal("no .rsrc section: the version resource is missing")
	}
	data, err := rsrc.Data()
	if err != nil {
		t.Fatal(err)
	}
	v := version(t)
	for _, key := range []string{"ProductVersion", "FileVersion"} {
		if got := versionString(data, key); got != v {
			t.Errorf("%s=%q, want the build's version %q", key, got, v)
		}
	}
	if got, want := fixedFileVersion(t, data), numericVersion(v); got != want {
		t.Errorf("fixed file version %s, want %s", got, want)
	}
}

// versionString finds the value of key in a VS_VERSIONINFO's string table:
// the UTF-16 key, its terminator and padding, then the UTF-16 value.
func versionString(rsrc []byte, key string) string {
	needle := utf16Bytes(key + "\x00")
	i := bytes.Index(rsrc, needle)
	if i < 0 {
		return ""
	}
	i += len(needle)
	for i+1 < len(rsrc) && rsrc[i] == 0 && rsrc[i+1] == 0 {
		i += 2
	}
	var u []uint16
	for ; i+1 < len(rsrc); i += 2 {
		c := binary.LittleEndian.Uint16(rsrc[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

func utf16Bytes(s string) []byte {
	var b []byte
	for _, c := range utf16.Encode([]rune(s)) {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// fixedFileVersion reads VS_FIXEDFILEINFO's file version as a.b.c.d.
func fixedFileVersion(t *testing.T, rsrc []byte) string {
	t.Helper()
	i := bytes.Index(rsrc, []byte{0xBD, 0x04, 0xEF, 0xFE}) // its signature
	if i < 0 || i+16 > len(rsrc) {
		t.Fatal("no VS_FIXEDFILEINFO in the resources")
	}
	ms := binary.LittleEndian.Uint32(rsrc[i+8:])
	ls := binary.LittleEndian.Uint32(rsrc[i+12:])
	return fmt.Sprintf("%d.%d.%d.%d", ms>>16, ms&0xffff, ls>>16, ls&0xffff)
}

// numericVersion is the a.b.c at the start of a version, as a.b.c.0.
func numericVersion(v string) string {
	return regexp.MustCompile(`^\d+\.\d+\.\d+`).FindString(v) + ".0"
}

// TestInstaller checks the NSIS installer: 7z lists and extracts its
// payload, which must be the very reelvault.exe of the build, with its
// uninstaller (build/windows/installer/project.nsi: Start-menu entry, data
// folder kept unless the person asks).
func TestInstaller(t *testing.T) {
	path := distFile(t, "reelvault_*_windows_amd64_setup.exe")
	if _, err := pe.Open(path); err != nil {
		t.Fatalf("the installer is not a Windows program: %v", err)
	}
	list := run(t, "7z", "l", path)
	if !strings.Contains(list, "reelvault.exe") {
		t.Fatalf("the installer does not list reelvault.exe:\n%s", list)
	}
	out := t.TempDir()
	run(t, "7z", "x", "-y", "-o"+out, path)
	var payload string
	_ = filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() == "reelvault.exe" {
			payload = p
		}
		return nil
	})
	if payload == "" {
		t.Fatalf("7z extracted no reelvault.exe:\n%s", list)
	}
	if got, want := sha256File(t, payload), sha256File(t, distFile(t, "reelvault.exe")); got != want {
		t.Errorf("the installer holds a reelvault.exe with sha256 %s, want the build's %s", got, want)
	}
	if !strings.Contains(list, "uninstall.exe") {
		t.Errorf("the installer lists no uninstaller:\n%s", list)
	}
}

// TestSHA256SUMS checks the checksums file covers every artifact and matches.
func TestSHA256SUMS(t *testing.T) {
	sums := distFile(t, "SHA256SUMS")
	b, err := os.ReadFile(sums)
	if err != nil {
		t.Fatal(err)
	}
	for _, pattern := range []string{"*.deb", "*.tar.gz", "*.exe"} {
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(sums), pattern))
		for _, m := range matches {
			if !strings.Contains(string(b), "  "+filepath.Base(m)+"\n") {
				t.Errorf("SHA256SUMS lacks %s", filepath.Base(m))
			}
		}
	}
	cmd := exec.Command("sha256sum", "--check", "--strict", "SHA256SUMS")
	cmd.Dir = filepath.Dir(sums)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum --check: %v\n%s", err, out)
	}
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}
