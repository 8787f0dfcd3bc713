#!/usr/bin/env bash
# Packages a built Linux binary as a .deb and a .tar.gz (called by `make dist`):
#
#   build/linux/package.sh VERSION BINARY OUTDIR
#
# Both hold the same tree: bin/reelvault, the desktop entry, the icon at the
# hicolor theme's sizes and a man page made from `reelvault help`. The .deb
# installs it under /usr; the .tar.gz unpacks to reelvault_VERSION/, a prefix
# such as ~/.local (tar -xzf … --strip-components=1 -C ~/.local).
set -euo pipefail

version=$1 bin=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

# The packages the window needs at run time on Debian 12: GTK and WebKitGTK
# 4.0 (the binary links them), and GStreamer's base and good plugins (WebM,
# MP4 demuxing, playback) and libav (H.264) for <video>. xdg-utils lets
# About open the data folder in the file manager.
depends="libc6, libgtk-3-0, libwebkit2gtk-4.0-37, gstreamer1.0-plugins-base, gstreamer1.0-plugins-good, gstreamer1.0-libav"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
prefix=$stage/usr
install -D -m 0755 "$bin" "$prefix/bin/reelvault"
install -D -m 0644 "$here/reelvault.desktop" "$prefix/share/applications/reelvault.desktop"
(cd "$root" && go run build/appicon.go -hicolor "$prefix/share/icons/hicolor")
# The man page is the command line's own help, so it never drifts from it.
mkdir -p "$prefix/share/man/man1"
{
	echo ".TH REELVAULT 1 \"\" \"reelvault $version\" \"User Commands\""
	echo ".SH NAME"
	echo "reelvault \\- keep the history of an AI video pipeline on this machine"
	echo ".SH DESCRIPTION"
	echo ".nf"
	"$bin" help | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
	echo ".fi"
} | gzip -9n >"$prefix/share/man/man1/reelvault.1.gz"
chmod -R u=rwX,go=rX "$prefix"

mkdir -p "$out"
deb=$out/reelvault_${version}_amd64.deb
mkdir -p "$stage/DEBIAN"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: reelvault
Version: $version
Architecture: amd64
Maintainer: Reelvault <reelvault@localhost>
Installed-Size: $(du -sk "$prefix" | cut -f1)
Depends: $depends
Recommends: xdg-utils
Section: video
Priority: optional
Description: history of an AI video pipeline, on your own machine
 Reelvault keeps every run of a video-generation pipeline (the prompt, the
 scene scripts, each clip and the final video) in a local database, with a
 desktop window, a local HTTP API for the pipeline and a command line.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
rm -rf "$stage/DEBIAN"

tarball=$out/reelvault_${version}_linux_amd64.tar.gz
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$stage" \
	--transform "s,^usr,reelvault_${version}," -czf "$tarball" usr
echo "$deb"
echo "$tarball"
