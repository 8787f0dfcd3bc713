#!/usr/bin/env python3
"""Record one run of a video pipeline in Reelvault: the prompt, the scene
scripts, each scene's clip, progress, and the final video.

Standard library only. Run it beside a Reelvault that is open (the window)
or serving (`reelvault serve`):

    export REELVAULT_KEY=rv_...        # from: reelvault user add my-pipeline
    python3 examples/pipeline.py "A paper boat drifting down a rainy street"

REELVAULT_URL is the server (default http://127.0.0.1:7788). REELVAULT_MEDIA
is the folder the clips are written to; it must be one of the media roots
(`reelvault media-root list`), by default the data folder's `media`.
"""

import json
import os
import sys
import urllib.error
import urllib.request

URL = os.environ.get("REELVAULT_URL", "http://127.0.0.1:7788").rstrip("/")
KEY = os.environ["REELVAULT_KEY"]
MEDIA = os.environ.get(
    "REELVAULT_MEDIA",
    os.path.join(os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")), "reelvault", "media"),
)


def call(method, path, body=None):
    """Sends one request and returns the decoded JSON answer."""
    req = urllib.request.Request(
        URL + "/api/v1" + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        # Errors are {"error": {"code", "message", "field"}}: the message says what to fix.
        err = json.load(e).get("error", {})
        sys.exit(f"{method} {path}: {e.code} {err.get('code')}: {err.get('message')}")


def render(name):
    """Stands in for the generator: writes a clip and returns its path."""
    os.makedirs(MEDIA, exist_ok=True)
    path = os.path.join(MEDIA, name)
    with open(path, "wb") as f:
        f.write(b"\0" * 1024)  # a real pipeline writes the rendered video here
    return path


def main():
    prompt = sys.argv[1] if len(sys.argv) > 1 else "A paper boat drifting down a rainy street"
    scenes = [
        {"scene_number": 1, "description": "Rain on the cobbles", "duration": 4, "lighting": "dusk"},
        {"scene_number": 2, "description": "The boat turns a corner", "duration": 5, "camera_movement": "pan left"},
    ]

    task = call("POST", "/tasks", {"prompt": prompt, "total_scenes": len(scenes)})
    tid = task["task_id"]
    call("POST", f"/tasks/{tid}/start")
    call("PUT", f"/tasks/{tid}/scripts", {"scripts": scenes})

    for done, scene in enumerate(scenes, start=1):
        clip = render(f"{tid}-scene{scene['scene_number']}.mp4")
        call("POST", f"/tasks/{tid}/videos", {
            "scene_number": scene["scene_number"], "file_path": clip,
            "duration": scene["duration"], "width": 1280, "height": 720, "fps": 24,
        })
        call("POST", f"/tasks/{tid}/progress", {"progress": 90 * done // len(scenes), "completed_scenes": done})

    final = render(f"{tid}-final.mp4")
    task = call("POST", f"/tasks/{tid}/complete", {"final_video_path": final})
    print(tid, task["status"])


if __name__ == "__main__":
    main()
