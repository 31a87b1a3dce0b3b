package sandbox

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// maxRetentionDays is the server's MAX_UPLOADED_FILE_RETENTION_DAYS default
// (skyvern/config.py).
const maxRetentionDays = 365

var agentRunFields = []field{
	opt("url", kString), opt("webhook_url", kString), enumField("proxy_location", client.ProxyPresets()),
	opt("totp_identifier", kString), opt("totp_url", kString), opt("browser_session_id", kString),
	opt("browser_profile_id", kString), opt("browser_address", kString), opt("extra_http_headers", kStringMap),
	opt("cdp_connect_headers", kStringMap), opt("max_screenshot_scrolling_times", kInt),
	opt("start_fresh_browser", kBool).nn(),
}

var loginFields = append(append([]field{}, agentRunFields...),
	enumField("credential_type", client.LoginCredentialType("").EnumValues()).mandatory(),
	opt("prompt", kString), opt("credential_id", kString), opt("bitwarden_collection_id", kString),
	opt("bitwarden_item_id", kString), opt("onepassword_vault_id", kString), opt("onepassword_item_id", kString),
	opt("azure_vault_name", kString), opt("azure_vault_username_key", kString), opt("azure_vault_password_key", kString),
	opt("azure_vault_totp_secret_key", kString),
)

var downloadFields = append(append([]field{}, agentRunFields...),
	req("navigation_goal", kString), opt("download_suffix", kString), opt("download_timeout", kNumber),
	opt("max_steps_per_run", kInt),
)

// builtinWorkflow returns the permanent ID of the hidden workflow behind
// login or download_files. Call with s.mu held.
func (s *Server) builtinWorkflow(name string) string {
	if id, ok := s.builtin[name]; ok {
		return id
	}
	id := newID("wpid_")
	s.builtin[name] = id
	return id
}

// startAgentRun starts the workflow run behind login or download_files.
// Call with s.mu held.
func (s *Server) startAgentRun(name, blockType string, opts client.AgentRunOptions, text string,
	params map[string]any, block map[string]any) *run {
	now := s.now()
	run := s.newRun("wr_", client.RunTypeWorkflowRun, scanTriggers(text), now)
	run.blocks = []runBlock{{id: newID("wrb_"), label: name, blockType: blockType, def: block}}
	run.summary = "Sandbox " + strings.ReplaceAll(name, "_", " ") + " run completed"
	run.webhookURL = opts.WebhookURL
	run.sessionID, run.profileID = opts.BrowserSessionID, opts.BrowserProfileID
	run.runWith = "agent"
	preset := string(opts.ProxyLocation)
	if preset == "" {
		preset = "RESIDENTIAL"
	}
	for k, v := range params {
		if v == "" || v == nil {
			delete(params, k)
		}
	}
	run.request = client.RunRequest{
		WorkflowID: s.builtinWorkflow(name), Parameters: params, ProxyLocation: client.Proxy(preset),
		WebhookURL: opts.WebhookURL, TOTPURL: opts.TOTPURL, TOTPIdentifier: opts.TOTPIdentifier,
		BrowserSessionID: opts.BrowserSessionID, BrowserProfileID: opts.BrowserProfileID,
		ExtraHTTPHeaders: opts.ExtraHTTPHeaders, CDPConnectHeaders: opts.CDPConnectHeaders,
		BrowserAddress: opts.BrowserAddress, MaxScreenshotScrolls: opts.MaxScreenshotScrollingTimes,
	}
	return run
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, loginFields, loc("body"))
	}
	if len(errs) == 0 && obj["credential_type"] == "skyvern" && (obj["credential_id"] == nil || obj["credential_id"] == "") {
		errs = []verr{valueError(loc("body"), obj, "credential_id is required when credential_type is skyvern")}
	}
	if len(errs) > 0 {
		writeValidation(w, errs)
		return
	}
	var in client.LoginRequest
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.CredentialType == client.LoginSkyvern {
		if _, ok := s.credentials[in.CredentialID]; !ok {
			writeDetail(w, http.StatusNotFound, fmt.Sprintf("Credential %s not found", in.CredentialID))
			return
		}
	}
	params := map[string]any{"url": in.URL, "prompt": in.Prompt, "credential_type": string(in.CredentialType),
		"credential_id": in.CredentialID, "bitwarden_collection_id": in.BitwardenCollectionID,
		"bitwarden_item_id": in.BitwardenItemID, "onepassword_vault_id": in.OnePasswordVaultID,
		"onepassword_item_id": in.OnePasswordItemID, "azure_vault_name": in.AzureVaultName}
	goal := in.Prompt
	if goal == "" {
		goal = "Log in to the website with the stored credential."
	}
	run := s.startAgentRun("login", "login", in.AgentRunOptions, in.Prompt, params,
		map[string]any{"url": in.URL, "navigation_goal": goal})
	writeJSON(w, http.StatusOK, s.runView(run, run.at(run.created), s.baseURL(r)))
}

func (s *Server) downloadFiles(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, downloadFields)
	if !ok {
		return
	}
	var in client.DownloadFilesRequest
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	params := map[string]any{"url": in.URL, "navigation_goal": in.NavigationGoal, "download_suffix": in.DownloadSuffix}
	if in.DownloadTimeout != nil {
		params["download_timeout"] = *in.DownloadTimeout
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	run := s.startAgentRun("download_files", "file_download", in.AgentRunOptions, in.NavigationGoal, params,
		map[string]any{"url": in.URL, "navigation_goal": in.NavigationGoal})
	if in.MaxStepsPerRun != nil && *in.MaxStepsPerRun > 0 && *in.MaxStepsPerRun < run.steps {
		run.steps = *in.MaxStepsPerRun
	}
	s.addDownload(run)
	run.fileName = downloadName(in.DownloadSuffix)
	writeJSON(w, http.StatusOK, s.runView(run, run.at(run.created), s.baseURL(r)))
}

// downloadName names the downloaded file after download_suffix: a suffix
// (".pdf"), a full file name ("invoice.pdf") or a bare word.
func downloadName(suffix string) string {
	suffix = path.Base(strings.TrimSpace(suffix))
	switch {
	case suffix == "" || suffix == "." || suffix == "/":
		return "sandbox-download.pdf"
	case strings.HasPrefix(suffix, "."):
		return "sandbox-download" + suffix
	case strings.Contains(suffix, "."):
		return suffix
	}
	return "sandbox-download-" + suffix + ".pdf"
}

func (s *Server) uploadFile(w http.ResponseWriter, r *http.Request) {
	missingFile := []verr{missing(loc("body", "file"), nil)}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") || params["boundary"] == "" {
		writeValidation(w, missingFile)
		return
	}
	mr, err := r.MultipartReader()
	if err != nil {
		writeValidation(w, missingFile)
		return
	}
	var file *uploadedFile
	var retention *int
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			writeValidation(w, []verr{valueError(loc("body"), nil, "invalid multipart body: "+err.Error())})
			return
		}
		if part.FormName() == "retention_days" && part.FileName() == "" {
			raw, _ := io.ReadAll(io.LimitReader(part, 64))
			_ = part.Close()
			n, err := strconv.Atoi(strings.TrimSpace(string(raw)))
			if err != nil {
				writeValidation(w, []verr{{Type: "int_parsing", Loc: loc("body", "retention_days"),
					Msg: "Input should be a valid integer, unable to parse string as an integer", Input: string(raw)}})
				return
			}
			retention = &n
			continue
		}
		if part.FormName() != "file" || file != nil {
			_ = part.Close()
			continue
		}
		if part.FileName() == "" {
			// A form field, not a file part (what the Python SDK's generated
			// upload_file sends): FastAPI's UploadFile rejects it.
			_ = part.Close()
			writeValidation(w, []verr{{Type: "value_error", Loc: loc("body", "file"),
				Msg: "Value error, Expected UploadFile, received: <class 'str'>", Ctx: map[string]any{"error": "Expected UploadFile"}}})
			return
		}
		data, err := io.ReadAll(io.LimitReader(part, maxUploadSize+1))
		_ = part.Close()
		if err != nil {
			writeValidation(w, []verr{valueError(loc("body", "file"), nil, "reading the file: "+err.Error())})
			return
		}
		if len(data) > maxUploadSize {
			writeDetail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf( // agent_protocol.py _validate_file_size
				"File size exceeds the maximum allowed size (%.1f MB)", float64(maxUploadSize)/1024/1024))
			return
		}
		ctype := part.Header.Get("Content-Type")
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		file = &uploadedFile{name: path.Base(part.FileName()), contentType: ctype, data: data}
	}
	if file == nil {
		writeValidation(w, missingFile)
		return
	}
	// uploaded_file_service.resolve_expires_at: 1 to MAX_UPLOADED_FILE_RETENTION_DAYS (365), else 422.
	if retention != nil && (*retention < 1 || *retention > maxRetentionDays) {
		writeDetail(w, http.StatusUnprocessableEntity, fmt.Sprintf("retention_days must be between 1 and %d", maxRetentionDays))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := newID("a_")
	fileID := newID("file_")
	s.artifacts[id] = &artifactRef{id: id, kind: artUpload, created: s.now(), upload: file}
	s.files[fileID] = id
	resp := client.UploadFileResponse{
		S3URI:        fmt.Sprintf("s3://skyvern-uploads/%s/%s/%s_%s", OrganizationID, id, fileID, file.name),
		PresignedURL: s.signedURL(s.baseURL(r), id),
		FileID:       fileID,
	}
	if retention != nil {
		resp.ExpiresAt = ts(s.now().AddDate(0, 0, *retention))
	}
	writeJSON(w, http.StatusOK, resp)
}

// deleteFile deletes an upload: 204, or 404 alike for unknown and already
// deleted files.
func (s *Server) deleteFile(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("file_id")
	s.mu.Lock()
	defer s.mu.Unlock()
	artID, ok := s.files[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("File %s not found", id))
		return
	}
	delete(s.files, id)
	delete(s.artifacts, artID)
	w.WriteHeader(http.StatusNoContent)
}
