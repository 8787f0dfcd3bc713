#!/usr/bin/env bash
# One run of a pipeline with curl (and jq to read the task's ID): create a
# task, start it, report progress, complete it with the final video.
#
#   export REELVAULT_KEY=rv_...        # from: reelvault user add my-pipeline
#   bash examples/pipeline.sh ~/.local/share/reelvault/media/final.mp4
#
# The README shows this script from its first line after `set`, and the
# tests check that it does.
set -euo pipefail
URL="${REELVAULT_URL:-http://127.0.0.1:7788}/api/v1"
AUTH="Authorization: Bearer $REELVAULT_KEY"
JSON="Content-Type: application/json"
VIDEO="$1"   # the final video: an existing file under a media root

TASK=$(curl -sS --fail-with-body -X POST "$URL/tasks" -H "$AUTH" -H "$JSON" \
  -d '{"prompt": "A lighthouse in a storm, seen from the sea", "total_scenes": 1}' | jq -r .task_id)
curl -sS --fail-with-body -X POST "$URL/tasks/$TASK/start" -H "$AUTH" >/dev/null
curl -sS --fail-with-body -X POST "$URL/tasks/$TASK/progress" -H "$AUTH" -H "$JSON" -d '{"progress": 50}' >/dev/null
curl -sS --fail-with-body -X POST "$URL/tasks/$TASK/complete" -H "$AUTH" -H "$JSON" \
  -d "{\"final_video_path\": \"$VIDEO\"}" | jq -r '.task_id + " " + .status'
