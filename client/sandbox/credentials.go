package sandbox

import (
	"encoding/base32"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/skyvern-mcp/skyvern-mcp/client"
)

// credential is a stored credential. The sandbox keeps only what the API
// returns: never the password, card number, CVV, secret value or TOTP
// secret.
type credential struct {
	resp    client.Credential
	created time.Time
}

var credentialTypes = client.CredentialType("").EnumValues()

var createCredentialFields = []field{
	req("name", kString), enumField("credential_type", credentialTypes).mandatory(), req("credential", kObject),
	enumField("vault_type", client.CredentialVaultType("").EnumValues()), opt("proxy_location", kProxy),
	opt("proxy_session_id", kString), opt("rotate_proxy_session_id", kBool).nn(),
	opt("tested_url", kString), opt("browser_profile_id", kString),
	opt("auto_profile_disabled", kBool).nn(), opt("pin_saved_session_ip", kBool).nn(),
}

var credentialShapes = map[string][]field{
	"password": {
		req("password", kString).minLength(1), req("username", kString).minLength(1), opt("totp", kString),
		enumField("totp_type", client.TOTPType("").EnumValues()).nn(), opt("totp_identifier", kString),
	},
	"credit_card": {
		req("card_number", kString).minLength(1), req("card_cvv", kString).minLength(1),
		req("card_exp_month", kString).minLength(1), req("card_exp_year", kString).minLength(1),
		req("card_brand", kString).minLength(1), req("card_holder_name", kString).minLength(1),
		opt("billing_address", kObject), opt("billing_email", kString), opt("billing_phone", kString),
		opt("metadata", kStringMap),
	},
	"secret": {req("secret_value", kString).minLength(1), opt("secret_label", kString)},
}

func (s *Server) createCredential(w http.ResponseWriter, r *http.Request) {
	resp, ok := readCredential(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	resp.CredentialID = newID("cred_")
	c := &credential{created: now, resp: resp}
	s.credentials[c.resp.CredentialID] = c
	writeJSON(w, http.StatusCreated, c.resp)
}

// readCredentialBody reads and validates a CreateCredentialRequest body, or
// answers 422 without echoing any secret.
func readCredentialBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	obj, _, errs := readBody(w, r, true)
	if len(errs) == 0 {
		errs = validateObject(obj, createCredentialFields, loc("body"))
		ct, _ := obj["credential_type"].(string)
		if data, ok := obj["credential"].(map[string]any); ok && credentialShapes[ct] != nil {
			errs = append(errs, validateObject(data, credentialShapes[ct], loc("body", "credential"))...)
		}
	}
	if len(errs) > 0 {
		writeValidation(w, redactSecrets(errs))
		return nil, false
	}
	return obj, true
}

// authenticatorKeyOK checks a password credential with totp_type
// authenticator as credentials.py _parse_authenticator_totp_config_or_raise
// does: its totp must be a Base32 setup key (spaces and dashes ignored) or an
// otpauth://totp/ URI with one. Otherwise it answers Skyvern's 400, whose
// detail is an object {"error_code", "message"}, and returns false. The key
// itself is never echoed.
func authenticatorKeyOK(w http.ResponseWriter, obj map[string]any) bool {
	data, _ := obj["credential"].(map[string]any)
	if obj["credential_type"] != string(client.CredentialPassword) || data["totp_type"] != "authenticator" {
		return true
	}
	key, _ := data["totp"].(string)
	code, msg := "", ""
	switch {
	case strings.TrimSpace(key) == "":
		code, msg = "authenticator_key_required", "Authenticator key is required. Paste the raw setup key or full otpauth:// URI from the website's 2FA setup screen."
	case !validAuthenticatorKey(key):
		code, msg = "invalid_authenticator_key", "Invalid authenticator key. Paste the raw Base32 setup key or full otpauth:// URI from the website's 2FA setup screen."
	default:
		return true
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"detail": map[string]string{"error_code": code, "message": msg}})
	return false
}

func validAuthenticatorKey(key string) bool {
	compact := strings.Join(strings.Fields(key), "")
	if u, err := url.Parse(compact); err == nil && strings.EqualFold(u.Scheme, "otpauth") {
		return strings.EqualFold(u.Host, "totp") && validBase32(u.Query().Get("secret"))
	}
	return validBase32(strings.ReplaceAll(compact, "-", ""))
}

// validBase32 is pyotp's byte_secret check: Base32, any case, padding
// optional.
func validBase32(s string) bool {
	s = strings.ToUpper(strings.TrimRight(s, "="))
	if s == "" {
		return false
	}
	_, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(s)
	return err == nil
}

// readCredential reads and validates a credential body (or answers 422,
// or 400 for a bad authenticator key) and returns the credential it
// describes.
func readCredential(w http.ResponseWriter, r *http.Request) (client.Credential, bool) {
	obj, ok := readCredentialBody(w, r)
	if !ok || !authenticatorKeyOK(w, obj) {
		return client.Credential{}, false
	}
	return credentialFromBody(obj), true
}

// credentialFromBody is what the API returns for a validated
// CreateCredentialRequest body, without its ID: never a secret.

func credentialFromBody(obj map[string]any) client.Credential {
	ct := client.CredentialType(obj["credential_type"].(string))
	data := obj["credential"].(map[string]any)
	str := func(k string) string { v, _ := data[k].(string); return v }
	var summary client.CredentialSummary
	switch ct {
	case client.CredentialPassword:
		summary = client.CredentialSummary{Username: str("username"), TOTPType: client.TOTPType(str("totp_type")), TOTPIdentifier: str("totp_identifier")}
		if summary.TOTPType == "" {
			summary.TOTPType = "none"
		}
	case client.CredentialCreditCard:
		num := str("card_number")
		digits := regexp.MustCompile(`\D`).ReplaceAllString(num, "")
		if len(digits) < 4 {
			digits = num
		}
		last := digits
		if len(last) > 4 {
			last = last[len(last)-4:]
		}
		summary = client.CredentialSummary{LastFour: last, Brand: str("card_brand")}
	case client.CredentialSecret:
		summary = client.CredentialSummary{SecretLabel: str("secret_label")}
	}
	var proxy *client.ProxyLocation
	if p, ok := obj["proxy_location"]; ok && p != nil {
		proxy = &client.ProxyLocation{}
		if err := remarshal(p, proxy); err != nil {
			proxy = nil
		}
	}
	vault, _ := obj["vault_type"].(string)
	if vault == "" {
		vault = "skyvern"
	}
	proxySession, _ := obj["proxy_session_id"].(string)
	testedURL, _ := obj["tested_url"].(string)
	profileID, _ := obj["browser_profile_id"].(string)
	autoOff, _ := obj["auto_profile_disabled"].(bool)
	pinIP, _ := obj["pin_saved_session_ip"].(bool)
	return client.Credential{
		Credential: summary, CredentialType: ct, Name: obj["name"].(string),
		VaultType: client.CredentialVaultType(vault), ProxyLocation: proxy, ProxySessionID: proxySession,
		TestedURL: testedURL, BrowserProfileID: profileID, AutoProfileDisabled: &autoOff, PinSavedSessionIP: pinIP,
	}
}

// updateCredential overwrites a credential's name, type and data, keeping
// its ID and the vault it lives in.
func (s *Server) updateCredential(w http.ResponseWriter, r *http.Request) {
	resp, ok := readCredential(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("credential_id")
	c, found := s.credentials[id]
	if !found {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Credential %s not found", id))
		return
	}
	resp.CredentialID, resp.VaultType = id, c.resp.VaultType
	c.resp = resp
	writeJSON(w, http.StatusOK, c.resp)
}

// redactSecrets removes inputs from validation errors that could hold a
// secret: the credential object, any of its fields, and the whole body.
func redactSecrets(errs []verr) []verr {
	out := make([]verr, len(errs))
	for i, e := range errs {
		_, isMap := e.Input.(map[string]any)
		if isMap || (len(e.Loc) >= 2 && e.Loc[1] == "credential") {
			e.Input = nil
		}
		out[i] = e
	}
	return out
}

func (s *Server) getCredentials(w http.ResponseWriter, r *http.Request) {
	q := newQuery(r)
	page, size := q.int("page", 1, 1), q.int("page_size", 10, 1)
	vault := q.enum("vault_type", client.CredentialVaultType("").EnumValues())
	ct := q.enum("credential_type", credentialTypes)
	search := strings.ToLower(q.str("search"))
	if !s.lockIfValid(w, q.errs) {
		return
	}
	defer s.mu.Unlock()
	var all []*credential
	for _, c := range s.credentials {
		sum := c.resp.Credential
		hay := strings.ToLower(strings.Join([]string{c.resp.Name, sum.Username, sum.SecretLabel, sum.LastFour, sum.Brand}, "\n"))
		switch {
		case vault != "" && string(c.resp.VaultType) != vault:
		case ct != "" && string(c.resp.CredentialType) != ct:
		case search != "" && !strings.Contains(hay, search):
		default:
			all = append(all, c)
		}
	}
	newestFirst(all, func(c *credential) (time.Time, string) { return c.created, c.resp.CredentialID })
	out := make([]client.Credential, 0, len(all))
	for _, c := range all {
		out = append(out, c.resp)
	}
	writeJSON(w, http.StatusOK, paginate(out, page, size))
}

func (s *Server) getCredential(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("credential_id")
	c, ok := s.credentials[id]
	if !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Credential %s not found", id))
		return
	}
	writeJSON(w, http.StatusOK, c.resp)
}

func (s *Server) deleteCredential(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("credential_id")
	if _, ok := s.credentials[id]; !ok {
		writeDetail(w, http.StatusNotFound, fmt.Sprintf("Credential %s not found", id))
		return
	}
	delete(s.credentials, id)
	writeNoContent(w)
}

var totpFields = []field{
	req("totp_identifier", kString), req("content", kString),
	opt("task_id", kString), opt("workflow_id", kString), opt("workflow_run_id", kString), opt("source", kString),
	opt("expired_at", kDateTime), enumField("type", client.OTPType("").EnumValues()),
}

var (
	codeOnly  = regexp.MustCompile(`^\s*([A-Za-z0-9]{4,10})\s*$`)
	codeInMsg = regexp.MustCompile(`(?:^|\D)(\d{4,8})(?:\D|$)`)
	linkInMsg = regexp.MustCompile(`https?://\S+`)
)

// extractCode finds the one-time code in a message, like Skyvern's parser:
// the content itself when it is a bare code, else the first run of 4 to 8
// digits, else a magic link.
func extractCode(content string) (code string, otpType client.OTPType) {
	if m := codeOnly.FindStringSubmatch(content); m != nil {
		return m[1], "totp"
	}
	if m := codeInMsg.FindStringSubmatch(content); m != nil {
		return m[1], "totp"
	}
	if m := linkInMsg.FindString(content); m != "" {
		return strings.TrimRight(m, ".,;)>\"'"), "magic_link"
	}
	return "", ""
}

func (s *Server) sendTOTPCode(w http.ResponseWriter, r *http.Request) {
	obj, ok := readValidBody(w, r, totpFields)
	if !ok {
		return
	}
	var in client.TOTPCodeCreate
	if err := remarshal(obj, &in); err != nil {
		writeValidation(w, []verr{valueError(loc("body"), obj, err.Error())})
		return
	}
	code, otp := extractCode(in.Content)
	if code == "" {
		writeValidation(w, []verr{valueError(loc("body", "content"), in.Content, "no verification code or magic link found in content")})
		return
	}
	now := s.now()
	writeJSON(w, http.StatusOK, client.TOTPCode{
		TOTPIdentifier: in.TOTPIdentifier, TaskID: in.TaskID, WorkflowID: in.WorkflowID, WorkflowRunID: in.WorkflowRunID,
		Source: in.Source, Content: in.Content, ExpiredAt: in.ExpiredAt, Type: in.Type, TOTPCodeID: newID("totp_"),
		Code: code, OrganizationID: OrganizationID, CreatedAt: ts(now), ModifiedAt: ts(now), OTPType: otp,
	})
}
