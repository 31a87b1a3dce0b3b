// Package sandbox is an in-process simulator of the Skyvern REST API, an
// http.Handler in the spirit of net/http/httptest. Tests drive the real
// client against it, and `skyvern-mcp --sandbox` serves it on a local port
// so that the MCP server can be tried without a Skyvern account.
//
//	sb := sandbox.New(sandbox.Options{APIKey: "test-key", RunDuration: 200 * time.Millisecond})
//	ts := httptest.NewServer(sb)
//	defer ts.Close()
//	c, _ := client.New(client.WithBaseURL(ts.URL), client.WithAPIKey("test-key"))
//
// Everything lives in memory and nothing happens in the background: a run's
// status is computed from its timestamps whenever it is read, so no
// goroutine is left behind. The answers follow Skyvern's OpenAPI document
// (required fields, enums, date-times such as "2026-11-29T19:43:32.123456Z")
// and use the client package's types, so the two cannot drift apart.
//
// # What is simulated
//
//   - Runs (POST /v1/run/tasks, /v1/run/agents, /v1/run/tasks/login,
//     /v1/run/tasks/download_files) go created → queued → running (step_count
//     rising) → completed over Options.RunDuration (default 3 s): created for
//     the first 10 %, queued until 20 %, running until the end. Task runs get
//     IDs tsk_ (engine skyvern-1.0 and the computer-use engines, with run
//     types task_v1, openai_cua, anthropic_cua, ui_tars, yutori_navigator) or
//     tsk_v2_ (skyvern-2.0, task_v2); workflow runs get wr_. POST
//     /v1/runs/{run_id}/cancel turns a run that is not final into canceled;
//     for a finished run it does what Skyvern's run_service.cancel_run does
//     by run type: a tsk_ task run is refused (400 {"detail": "Invalid task
//     status transition ..."}, or 500 {"error": "Unexpected error:
//     TaskAlreadyTimeout"} when it timed out), a task_v2 run is marked
//     canceled anyway, a workflow run keeps its status (200).
//   - A completed task run's output follows its data_extraction_schema: a
//     value valid against a JSON Schema (objects with all their properties,
//     arrays with one item, the first enum value, sensible numbers and
//     strings within the stated bounds and formats), an object with the named
//     fields for a list of names or a {"field": "type"} shorthand, and
//     {"extracted_information": ...} for a text description; {"summary": ...}
//     without a schema. A workflow run's output is an object keyed by block
//     label.
//   - Every run has four artifacts: a PNG screenshot (screenshot_final) and
//     an HTML page (html_scrape) once it is running, plus an LLM response
//     (llm_response, JSON) and a recording once it is final. The recording is
//     served as video/webm and starts with a real EBML header, but it is NOT
//     a playable video: the rest is filler, Options.RecordingSize bytes in
//     all, generated on the fly. A download_files run also has a downloaded
//     PDF. GET /v1/artifacts/{artifact_id}/content serves the bytes with
//     their real Content-Type, inline, and honours Range requests (206,
//     416); downloads and uploads come as application/octet-stream with
//     Content-Disposition: attachment (filename and RFC 5987 filename*), as
//     Skyvern serves them, with X-Content-Type-Options: nosniff. The
//     artifacts of an unknown run are [], not 404.
//     signed_url, screenshot_urls and recording_url point at that endpoint
//     on the sandbox itself with a ?token= that works without an API key.
//   - The timeline of workflow and task_v2 runs lists a block entry per block
//     started (task_v2 runs also get thoughts); task_v1 and computer-use runs
//     answer 400, as Skyvern does.
//   - Workflows keep every version: POST /v1/agents/{workflow_id} adds a
//     version with the next number, and all versions stay listed. The
//     definition (json_definition or yaml_definition) is validated for its
//     required fields and block and parameter types, and stored as Skyvern
//     expands it (parameter IDs, an output parameter per block).
//   - Browser sessions run until closed (status completed, completed_at set,
//     a recording in recordings) or until their timeout in minutes passes.
//     A timeout above 240 minutes is capped at 240 and the create answer
//     carries Skyvern's warning; close answers {"message": "Browser session
//     closed"}. A browser profile made from a session needs one started
//     with generate_browser_profile and closed (or reusing a live profile),
//     one made from a workflow run needs a finished run of a workflow with
//     persist_browser_session (400 with Skyvern's words otherwise, 404 for
//     an unknown source, 422 for both). Browser profile names are unique
//     (409). Credentials never come back with their secret: the sandbox
//     does not even keep it. An authenticator credential needs a Base32 key
//     or an otpauth:// URI (400 {"detail": {"error_code", "message"}}).
//     POST /v1/upload_file takes files up to 10 MB (413 beyond).
//     POST /v1/credentials/totp extracts the code from the message.
//   - Folders (fld_...) are listed most recently modified first, searched in
//     title and description. A workflow is in a folder when its latest
//     version's folder_id says so; workflow_count counts those that are not
//     deleted. DELETE /v1/folders/{folder_id} moves its workflows out of
//     the folder, or deletes them with delete_workflows=true, and answers
//     {"status":"deleted","folder_id":...,"workflows_deleted":...}.
//   - Custom LLMs (oat_...) follow Skyvern's rules: openai_compatible needs
//     api_base, openrouter needs api_key (api_base defaults to OpenRouter's),
//     ollama's api_base defaults to http://localhost:11434. The API key is
//     never kept: answers show "********" when one was given, and an update
//     replaces the whole config, keeping the key only when api_key is
//     "********". 422 errors never carry the key (no input that could hold
//     it). Unknown IDs get 404 {"detail":"Custom LLM not found"}.
//   - Webhooks are never delivered: retry_webhook answers with the payload
//     it would send and an error saying so (400 when neither the run nor the
//     request has a webhook URL).
//   - Tags live in one event log, as in Skyvern: every set and delete on a
//     workflow or a workflow run is an event (tag history, newest first) and
//     the applied tags are the set events nothing superseded yet. A key
//     holds one value per target; a tag without a key is a standalone
//     label; at most 20 tags per target; keys, values and colors follow
//     Skyvern's rules (422 otherwise). Only workflow runs (wr_) have run
//     tags: a task run's ID (tsk_, tsk_v2_) gets 404, since the path names
//     a workflow_run_id. The first set of a grouped tag registers its key
//     (tag keys) and its (key, value) with a palette color (tag values);
//     they stay registered, with workflow counts of live workflows, until
//     deleted. Deleting a key or value, or renaming a value, rewrites the
//     applied tags of every workflow and run with events of its own.
//   - Run listings are computed from the runs themselves, with their live
//     status, newest first: GET /v1/runs lists every run (filters status,
//     run_type, search_key of 3+ characters, page and page_size up to 100);
//     GET /v1/agents/runs and /v1/agents/{workflow_id}/runs list the wr_
//     runs (of one workflow permanent ID; an unknown one gives []), with
//     status, search_key (run ID, parameter keys, descriptions and values,
//     extra headers), error_code (exact, once the run has failed: a failed
//     workflow run gets the first code of its definition's or first block's
//     error_code_mapping) and created_at_start/end. The runs of login and
//     download_files belong to hidden workflows titled Login and Download
//     files. POST /v1/runs/cancel applies cancel_run to each run (duplicates
//     once): unknown runs and those cancel_run refuses are failed, the rest
//     cancelled.
//     POST /v1/agents/runs/{workflow_run_id}/retry starts a new wr_ run of
//     the same workflow version with the same request and markers once the
//     run is final (400 before, 404 for task runs or a deleted workflow).
//   - Updates: PATCH on a browser session toggles generate_browser_profile
//     (409 once it has ended); PATCH on a browser profile changes the fields
//     sent (a null description changes nothing, a sticky proxy_session_id
//     goes with RESIDENTIAL_ISP only, names stay unique: 409); POST
//     /v1/credentials/{credential_id}/update replaces name, type and data
//     but keeps the ID and vault, and echoes no secret. PUT
//     /v1/agents/{workflow_permanent_id}/folder sets the latest version's
//     folder_id (null removes it; an unknown folder gives 400) and touches
//     both folders' modified_at. POST
//     .../browser_session/reset_profile answers 204 and deletes the
//     workflow's Skyvern-managed profiles. GET /v1/version needs no key.
//   - Schedules (wfs_...) belong to a live workflow (404 otherwise, and they
//     go with it when it is deleted). cron_expression takes 5 fields or
//     @hourly ... @yearly (no @every, seconds or TZ= prefix), read in
//     timezone (an IANA name); a bad one, or one whose next two firings are
//     under 5 minutes apart, gets 422 at body.cron_expression or
//     body.timezone (Skyvern itself answers 400 {"detail": ...}). Parameters
//     must be the workflow's own, with every one lacking a default given
//     (400 otherwise, as Skyvern does). next_runs lists the next 5 fire
//     times in UTC; enable/disable flip enabled; PUT replaces every field.
//     Schedules never fire.
//   - Scripts (s_...) keep every version: deploy adds the next one with the
//     new files. The file tree gives each file's size, sha256 and MIME
//     type (from a fixed extension table when omitted); contents are not
//     kept. run_script answers null, as Skyvern does, and runs nothing.
//   - run_sdk_action records the action in a new, already completed
//     workflow run (or in workflow_run_id's) that get_run and the timeline
//     show, and answers a deterministic result: the selector given or a
//     fixed XPath (ai_click, ai_input_text: never the typed text), the value
//     or file_url (select, upload), data shaped by extract_schema or
//     response_schema, true for validate (false with [sandbox:fail] in the
//     prompt), null for ai_act. browser_session_id must name a running
//     session (404 unknown, 400 closed); without one a browser is assumed.
//     [sandbox:fail] in another action's intention or prompt gives 400
//     (Skyvern answers 422 with a text detail, which the spec's 422 shape
//     does not allow).
//
// cancel_run and delete_workflow answer 200 with the JSON body null, which
// is what FastAPI sends for these operations (the spec declares
// application/json with an empty schema); delete_workflow does so for an
// unknown or deleted workflow too, and get_workflow_versions answers [] for
// one. The profile and credential deletes answer 204 without a body.
//
// # Errors
//
// With Options.APIKey set, a wrong or missing x-api-key gets 403
// {"detail":"Invalid credentials"}. Unknown IDs get 404 {"detail":"... not
// found"}. Invalid bodies and query parameters get 422 with FastAPI's body,
// {"detail":[{"type":"missing","loc":["body","prompt"],"msg":"Field
// required","input":{...}}]}: json_invalid, missing, string_type,
// int_parsing, bool_parsing, enum, greater_than_equal, less_than_equal,
// string_too_short, union_tag_invalid, ... Values are coerced as pydantic's
// lax mode does ("5" is accepted for an integer).
//
// # Triggers
//
// Markers in a run's text make it behave deterministically. They are looked
// for, case-insensitively, in the prompt and title of a task run; in the
// title, parameter values, workflow title and block goals (navigation_goal,
// prompt, data_extraction_goal, title) of a workflow run; in the prompt of a
// login and the navigation_goal of download_files:
//
//   - [sandbox:fail] ends the run failed, with a failure_reason (and, when
//     error_code_mapping is given, an errors entry with its first code).
//   - [sandbox:terminate] ends the run terminated, with a failure_reason.
//   - [sandbox:timeout] ends the run timed_out, with a failure_reason.
//   - [sandbox:slow] makes the run take 10× Options.RunDuration.
//   - [sandbox:pause] keeps the run paused during the middle third of its
//     duration before it goes on running.
//
// When several final-status markers appear, fail wins over terminate, and
// terminate over timeout; slow and pause combine with any of them.
//
// # Real browsers
//
// With Options.Chromium set (skyvern-mcp --sandbox sets it), every browser
// session gets its own headless Chromium (own process group, temporary
// profile), started on the session's url. Its browser_address is
// http://<sandbox>/cdp/<pbs_id>: GET .../json/version gives a
// webSocketDebuggerUrl on the same proxy, as Skyvern Cloud's addresses do,
// and both answer only the x-api-key that created the session (any other
// key, or none, gets 403 {"detail":"Invalid credentials"}). Closing the
// session, its timeout (minutes, in real time), Server.CloseBrowsers and
// Multi.CloseBrowsers kill the browser's whole process tree. Without
// Chromium installed, creating a session answers 503 naming the Debian
// package to install (chromium).
//
// run_sdk_action with such a session acts on the real page (the tab whose
// URL is the request's url, else the first tab), deterministically, with no
// model:
//
//   - ai_click clicks the element matching selector, else the visible
//     button or link whose text appears in the intention (the longest such
//     text); result: a CSS path of the element. ai_act does the same
//     without a selector and returns null, and does nothing when no text
//     matches.
//   - ai_input_text fills the field matching selector, else the field whose
//     label, placeholder, name or id appears in the intention, else the
//     first empty visible text field (input and change events fire).
//   - ai_select_option picks, in the select matching selector (else the one
//     whose label is in the intention, else the first), the option whose
//     value or text equals value.
//   - extract fills each property of extract_schema.properties from the
//     element whose id, name, data-field or itemprop is the property name
//     (its value, or its text), else from a visible "Label: value" line
//     whose label is the name with _ as spaces; numbers, integers and
//     booleans are converted; missing ones are null. Without properties it
//     returns {"text": <visible text, 4,000 characters at most>}.
//   - validate is true when every quoted string of the prompt ('...' or
//     "...") is in the page's visible text; locate_element returns the
//     innermost element holding the prompt's first quoted string.
//
// Other cases (prompt, ai_upload_file, validate without quotes) keep the
// simulated results. Same-origin iframes are searched too.
//
// # One sandbox per API key
//
// NewMulti serves a separate sandbox per x-api-key (and a default one for
// requests without a key), as separate Skyvern organizations would be:
// callers with different keys never see each other's objects. It keeps the
// 1,000 most recently used keys (only as SHA-256 digests) and forgets the
// state of older ones. Keyless requests for /app/ pages and signed artifact
// URLs go to the sandbox that holds the object. skyvern-mcp --sandbox uses it.
//
// # Fault injection
//
// AddFault makes matching requests fail: a status with an optional
// Retry-After, latency, a dropped connection, a truncated body, or an HTML
// error page, a given number of times or until ClearFaults. Calls counts
// requests per method and path (or path template) before any fault applies,
// so a test can assert that a POST was sent exactly once.
package sandbox
