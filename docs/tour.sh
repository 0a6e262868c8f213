#!/usr/bin/env bash
# The API tour as one script: a department, its key, a first call, its usage, its spend and its statements, all
# through the gateway as a department and its administrator would. Needs curl and jq, and a running suite:
#
#   ./factory up --detach && docs/tour.sh
#
# TF_GATEWAY (default http://localhost:8080), ADMIN (default: the key in .factory/secrets/admin-key) and MODEL
# (default simulated-llm, the demo's simulated GPU node; byte-lm-moby runs on the CPU) change where and what.
# Every run makes a department of its own, so it can run again. A test runs it against the real services.
set -euo pipefail
cd "$(dirname "$0")/.."

gateway=${TF_GATEWAY:-http://localhost:8080}
admin=${ADMIN:-$(cat .factory/secrets/admin-key)}
model=${MODEL:-simulated-llm}
run=$(date +%s)-$RANDOM

# call METHOD PATH KEY [JSON]: the answer's body; a status of 400 or more ends the tour with the problem
call() {
  local answer status
  answer=$(curl -sS -X "$1" "$gateway$2" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+-d "$4"} -w '\n%{http_code}')
  status=${answer##*$'\n'}
  answer=${answer%$'\n'*}
  if [ "$status" -ge 400 ]; then
    echo "$1 $2 answered $status: $answer" >&2
    exit 1
  fi
  printf '%s' "$answer"
}

# rows PATH KEY: the answer once its rows are there (metering and billing follow a call within seconds); a minute at most
rows() {
  local answer
  for _ in $(seq 1 60); do
    answer=$(call GET "$1" "$2")
    if [ "$(jq '.rows | length' <<<"$answer")" -gt 0 ]; then
      printf '%s' "$answer"
      return
    fi
    sleep 1
  done
  echo "GET $1: nothing within a minute" >&2
  exit 1
}

echo "1. A department, with a monthly budget (billing-service owns departments)"
department=$(call POST /api/billing/departments "$admin" \
  "{\"name\": \"Tour $run\", \"costCentreCode\": \"TOUR-$run\", \"monthlyBudget\": \"50.00\", \"softAlertPercent\": 80}" |
  jq -r .id)
echo "   department $department"

echo "2. A key for it: inference and reading its own usage and spend; the secret is shown this once"
key=$(call POST /api/keys "$admin" \
  "{\"name\": \"tour $run\", \"departmentId\": \"$department\", \"scopes\": [\"inference\", \"usage:read\", \"billing:read\"]}" |
  jq -r .secret)
echo "   key ${key:0:6}…"

echo "3. A call, as any OpenAI client makes it; 'user' names the department's own end user"
completion=$(call POST /v1/chat/completions "$key" \
  "{\"model\": \"$model\", \"max_tokens\": 16, \"user\": \"tour-user\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello, factory\"}]}")
echo "   $(jq -r '"\(.usage.prompt_tokens) prompt + \(.usage.completion_tokens) completion tokens: \(.choices[0].message.content)"' <<<"$completion")"

echo "4. Its usage, metered with its energy and where that figure came from (by model and end user)"
usage=$(rows "/api/metering/usage?granularity=total&groupBy=model,user" "$key")
jq -r '.rows[] | "   \(.model) for \(.user): \(.requests) request(s), \(.totalTokens) tokens, \(.energyJoules) J (\(.energySources | keys | join(", ")))"' <<<"$usage"

echo "5. What its tokens cost the platform (energy and capacity, once metered and priced), and its spend this month"
window="from=$(date -u +%Y-%m-01T00:00:00Z)&to=$(date -u -d '+1 hour' +%Y-%m-%dT%H:00:00Z)"
cost=$(rows "/api/billing/cost-per-token?$window&groupBy=model" "$key")
jq -r '.currency as $c | .rows[]
  | "   \(.model): \(.tokens) tokens cost \(.cost) \($c), \(.costPerMillionTokens) \($c) per million tokens"' <<<"$cost"
spend=$(call GET "/api/billing/departments/$department/spend" "$key")
jq -r '"   spent \(.charge) \(.currency) of \(.monthlyBudget) (\(.state); to the cent), forecast \(.forecast) for \(.period)",
  if .forecastMethod == "run-rate" then "   (the run-rate: under a week of history, no band)"
  else "   (90 % band \(.forecastLow)–\(.forecastHigh), from the \(.forecastMethod))" end' <<<"$spend"

echo "6. Its statements: one per closed month (CSV and PDF too); this month's comes when the month is closed"
statements=$(call GET /api/billing/statements "$key")
echo "   $(jq 'length' <<<"$statements") statement(s) so far"
first=$(jq -r '.[0].id // empty' <<<"$statements")
if [ -n "$first" ]; then
  curl -sS -o "${TMPDIR:-/tmp}/statement-$first.pdf" "$gateway/api/billing/statements/$first/pdf" -H "Authorization: Bearer $key"
  echo "   the latest as PDF: ${TMPDIR:-/tmp}/statement-$first.pdf"
fi
echo "Tour done: department $department."
