package sandbox_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/skyvern-mcp/skyvern-mcp/client"
	"github.com/skyvern-mcp/skyvern-mcp/client/sandbox"
)

func TestCredentialsNeverReturnSecrets(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	const (
		password   = "CANARY-PASSWORD-f00d"
		totpSecret = "CANARYTOTPSECRETBASE3222"
		cardNumber = "4111222233331111"
		cvv        = "987"
		secret     = "CANARY-SECRET-VALUE-beef"
	)
	pw, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "Acme portal",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ada@example.com",
			Password: password, TOTP: totpSecret, TOTPType: "authenticator", TOTPIdentifier: "ada@example.com"}}})
	require.NoError(t, err)
	assert.Regexp(t, `^cred_\d{18}$`, pw.CredentialID)
	assert.Equal(t, client.CredentialSummary{Username: "ada@example.com", TOTPType: "authenticator", TOTPIdentifier: "ada@example.com"}, pw.Credential)

	card, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "Company card",
		Credential: client.CredentialData{CreditCard: &client.CreditCardCredential{CardNumber: cardNumber, CardCVV: cvv,
			CardExpMonth: "07", CardExpYear: "2029", CardBrand: "Visa", CardHolderName: "Ada Lovelace"}}})
	require.NoError(t, err)
	assert.Equal(t, client.CredentialSummary{LastFour: "1111", Brand: "Visa"}, card.Credential)

	sec, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "API key",
		Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: secret, SecretLabel: "openai"}}})
	require.NoError(t, err)
	assert.Equal(t, client.CredentialSummary{SecretLabel: "openai"}, sec.Credential)

	all, err := e.c.GetCredentials(e.ctx, nil)
	require.NoError(t, err)
	assert.Len(t, all, 3)
	only, err := e.c.GetCredentials(e.ctx, &client.GetCredentialsParams{CredentialType: client.CredentialCreditCard})
	require.NoError(t, err)
	require.Len(t, only, 1)
	found, err := e.c.GetCredentials(e.ctx, &client.GetCredentialsParams{Search: "ADA@"})
	require.NoError(t, err)
	require.Len(t, found, 1)
	found, err = e.c.GetCredentials(e.ctx, &client.GetCredentialsParams{Search: "CANARY"})
	require.NoError(t, err)
	assert.Empty(t, found, "search never looks at secrets")
	for _, c := range []*client.Credential{pw, card, sec} {
		got, err := e.c.GetCredential(e.ctx, c.CredentialID)
		require.NoError(t, err)
		assert.Equal(t, c, got)
	}

	// A rejected body is not echoed back either.
	code, _, body := e.raw(t, "POST", "/v1/credentials", "application/json",
		`{"credential_type":"password","credential":{"username":"","password":"`+password+`","totp":5}}`)
	require.Equal(t, 422, code)
	errs := validation(t, body)
	findLoc(t, errs, "body", "name")
	assert.Equal(t, "string_too_short", findLoc(t, errs, "body", "credential", "username").Type)
	assert.Equal(t, "string_type", findLoc(t, errs, "body", "credential", "totp").Type)
	assert.NotContains(t, string(body), password)
	code, _, body = e.raw(t, "POST", "/v1/credentials", "application/json",
		`{"credential_type":"credit_card","credential":{"card_number":"`+cardNumber+`","card_cvv":"`+cvv+`"}}`)
	require.Equal(t, 422, code)
	findLoc(t, validation(t, body), "body", "name")
	findLoc(t, validation(t, body), "body", "credential", "card_brand")
	assert.NotContains(t, string(body), cardNumber)

	raw := e.bodies.String()
	// The CVV is looked for as a whole JSON string: "987" alone also occurs
	// inside random IDs.
	for _, canary := range []string{password, totpSecret, cardNumber, `"` + cvv + `"`, secret} {
		assert.NotContains(t, raw, canary)
	}

	code, _, body = e.raw(t, "POST", "/v1/credentials/"+pw.CredentialID+"/delete", "", "")
	assert.Equal(t, 204, code)
	assert.Empty(t, body)
	_, err = e.c.GetCredential(e.ctx, pw.CredentialID)
	assert.True(t, client.IsNotFound(err))
}

func TestSendTOTPCode(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	for content, want := range map[string]string{
		"Your verification code is 482913. It expires in 10 minutes.": "482913",
		"  77aa21 ":                 "77aa21",
		"Code: 1234 (do not share)": "1234",
	} {
		code, err := e.c.SendTOTPCode(e.ctx, &client.TOTPCodeCreate{TOTPIdentifier: "ada@example.com", Content: content})
		require.NoError(t, err)
		assert.Equal(t, want, code.Code, content)
		assert.Regexp(t, `^totp_\d{18}$`, code.TOTPCodeID)
		assert.Equal(t, content, code.Content)
		requireDateTime(t, code.CreatedAt, false)
	}
	link, err := e.c.SendTOTPCode(e.ctx, &client.TOTPCodeCreate{TOTPIdentifier: "a", Content: "Sign in: https://example.com/magic?t=abc."})
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/magic?t=abc", link.Code)
	assert.Equal(t, client.OTPType("magic_link"), link.OTPType)
	_, err = e.c.SendTOTPCode(e.ctx, &client.TOTPCodeCreate{TOTPIdentifier: "a", Content: "no code here, sorry"})
	assert.True(t, client.IsValidation(err))
}

func TestLoginAndDownloadFiles(t *testing.T) {
	e := newEnv(t, sandbox.Options{RunDuration: -1}, false)
	cred, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "c",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p"}}})
	require.NoError(t, err)
	login, err := e.c.Login(e.ctx, &client.LoginRequest{CredentialType: client.LoginSkyvern, CredentialID: cred.CredentialID,
		AgentRunOptions: client.AgentRunOptions{URL: "https://example.com/login"}})
	require.NoError(t, err)
	assert.Regexp(t, `^wr_\d{18}$`, login.RunID)
	assert.Equal(t, client.RunTypeWorkflowRun, login.RunType)
	assert.Regexp(t, `^wpid_`, login.RunRequest.WorkflowID)
	_, err = e.c.Login(e.ctx, &client.LoginRequest{CredentialType: client.LoginSkyvern, CredentialID: "cred_000000000000000001"})
	assert.True(t, client.IsNotFound(err))

	dl, err := e.c.DownloadFiles(e.ctx, &client.DownloadFilesRequest{NavigationGoal: "Download the latest invoice", DownloadSuffix: "invoice.pdf"})
	require.NoError(t, err)
	assert.Equal(t, client.RunTypeWorkflowRun, dl.RunType)
	require.Len(t, dl.DownloadedFiles, 1)
	f := dl.DownloadedFiles[0]
	assert.Equal(t, "invoice.pdf", f.Filename)
	resp, err := http.Get(f.URL)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"), "a download is served as bytes")
	assert.True(t, strings.HasPrefix(string(b), "%PDF-"))
	assert.Equal(t, *f.FileSize, int64(len(b)))

	failing, err := e.c.DownloadFiles(e.ctx, &client.DownloadFilesRequest{NavigationGoal: "[sandbox:terminate]"})
	require.NoError(t, err)
	assert.Equal(t, client.RunStatusTerminated, failing.Status)
}

func TestUploadFile(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	up, err := e.c.UploadFile(e.ctx, "notes.txt", "text/plain", strings.NewReader("hello sandbox"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(up.S3URI, "s3://"))
	assert.True(t, strings.HasSuffix(up.S3URI, "/"+up.FileID+"_notes.txt"), "upload_file stores under {file_id}_{name}: %s", up.S3URI)
	resp, err := http.Get(up.PresignedURL)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "hello sandbox", string(b))
	assert.Equal(t, "application/octet-stream", resp.Header.Get("Content-Type"), "an upload is served as a download")

	// No file part: 422 at body.file, as FastAPI answers.
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("other", "x"))
	require.NoError(t, mw.Close())
	code, _, body := e.raw(t, "POST", "/v1/upload_file", mw.FormDataContentType(), buf.String())
	require.Equal(t, 422, code)
	assert.Equal(t, "missing", findLoc(t, validation(t, body), "body", "file").Type)

	// A form field named file instead of a file part is refused too.
	buf.Reset()
	mw = multipart.NewWriter(&buf)
	require.NoError(t, mw.WriteField("file", "hello"))
	require.NoError(t, mw.Close())
	code, _, body = e.raw(t, "POST", "/v1/upload_file", mw.FormDataContentType(), buf.String())
	require.Equal(t, 422, code)
	findLoc(t, validation(t, body), "body", "file")

	code, _, _ = e.raw(t, "POST", "/v1/upload_file", "application/json", `{}`)
	assert.Equal(t, 422, code)
}

func TestUpdateCredentialNeverEchoesSecrets(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	const newPassword, newTOTP, secret = "CANARY-UPDATED-PW-77aa", "CANARYNEWTOTPSECRETZZZZZ", "CANARY-UPDATED-SECRET-9b"
	c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "Acme", VaultType: "skyvern",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ada", Password: "old-pw"}}})
	require.NoError(t, err)
	up, err := e.c.UpdateCredential(e.ctx, c.CredentialID, &client.CreateCredentialRequest{Name: "Acme 2", VaultType: "bitwarden",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "ada2", Password: newPassword, TOTP: newTOTP, TOTPType: "authenticator"}}})
	require.NoError(t, err)
	assert.Equal(t, c.CredentialID, up.CredentialID)
	assert.Equal(t, client.CredentialVaultType("skyvern"), up.VaultType, "the vault it lives in is kept")
	assert.Equal(t, client.CredentialSummary{Username: "ada2", TOTPType: "authenticator"}, up.Credential)
	list, err := e.c.GetCredentials(e.ctx, nil)
	require.NoError(t, err)
	require.Len(t, list, 1, "updated in place")
	assert.Equal(t, "Acme 2", list[0].Name)

	sec, err := e.c.UpdateCredential(e.ctx, c.CredentialID, &client.CreateCredentialRequest{Name: "token",
		Credential: client.CredentialData{Secret: &client.SecretCredential{SecretValue: secret, SecretLabel: "api"}}})
	require.NoError(t, err)
	assert.Equal(t, client.CredentialSummary{SecretLabel: "api"}, sec.Credential)

	code, _, body := e.raw(t, "POST", "/v1/credentials/"+c.CredentialID+"/update", "application/json",
		`{"name":"x","credential_type":"password","credential":{"username":"","password":"`+newPassword+`"}}`)
	require.Equal(t, 422, code)
	assert.Equal(t, "string_too_short", findLoc(t, validation(t, body), "body", "credential", "username").Type)
	assert.NotContains(t, string(body), newPassword)
	code, _, body = e.raw(t, "POST", "/v1/credentials/cred_000000000000000404/update", "application/json",
		`{"name":"x","credential_type":"secret","credential":{"secret_value":"`+secret+`"}}`)
	require.Equal(t, 404, code)
	assert.NotContains(t, string(body), secret)

	for _, s := range []string{newPassword, newTOTP, secret} {
		assert.NotContains(t, e.bodies.String(), s, "no answer ever carries a secret")
	}
}

// agent_protocol.py _validate_file_size: a file above MAX_UPLOAD_FILE_SIZE
// (10 MB) gets 413.
func TestUploadAboveSizeLimitIs413(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	_, err := e.c.UploadFile(e.ctx, "max.bin", "application/octet-stream", bytes.NewReader(make([]byte, 10<<20)))
	require.NoError(t, err, "exactly 10 MB is accepted")
	_, err = e.c.UploadFile(e.ctx, "big.bin", "application/octet-stream", bytes.NewReader(make([]byte, 10<<20+1)))
	var apiErr *client.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 413, apiErr.StatusCode)
	assert.Equal(t, "File size exceeds the maximum allowed size (10.0 MB)", apiErr.Detail)
}

// credentials.py create_credential and update_credential →
// _parse_authenticator_totp_config_or_raise: an authenticator credential
// needs a Base32 setup key or an otpauth://totp/ URI (400 with an
// {"error_code", "message"} detail otherwise); the answer reports the
// totp_type stored, "none" when none was given.
func TestAuthenticatorCredentialNeedsAValidKey(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, false)
	const badKey = "NOT-BASE32-189!"
	for _, tc := range []struct{ totp, code string }{
		{``, "authenticator_key_required"},
		{`"totp":"   ",`, "authenticator_key_required"},
		{`"totp":"` + badKey + `",`, "invalid_authenticator_key"},
		{`"totp":"otpauth://totp/a?secret=189",`, "invalid_authenticator_key"},
	} {
		body := `{"name":"n","credential_type":"password","credential":{"username":"u","password":"p",` + tc.totp + `"totp_type":"authenticator"}}`
		for _, path := range []string{"/v1/credentials", "/v1/credentials/" + mustCred(t, e) + "/update"} {
			code, _, b := e.raw(t, "POST", path, "application/json", body)
			require.Equal(t, 400, code, "%s %s: %s", path, tc.totp, b)
			var got struct {
				Detail struct {
					ErrorCode string `json:"error_code"`
					Message   string `json:"message"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal(b, &got))
			assert.Equal(t, tc.code, got.Detail.ErrorCode, path)
			assert.Contains(t, got.Detail.Message, "uthenticator key", path)
			assert.NotContains(t, string(b), badKey, "the key is never echoed")
		}
	}
	for _, key := range []string{"jbsw y3dp ehpk 3pxp", "JBSW-Y3DP", "otpauth://totp/Acme:ada?secret=JBSWY3DPEHPK3PXP&issuer=Acme"} {
		c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "ok",
			Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p", TOTP: key, TOTPType: "authenticator"}}})
		require.NoError(t, err, key)
		assert.Equal(t, client.TOTPType("authenticator"), c.Credential.TOTPType, key)
	}
	c, err := e.c.CreateCredential(e.ctx, &client.CreateCredentialRequest{Name: "no type",
		Credential: client.CredentialData{Password: &client.PasswordCredential{Username: "u", Password: "p", TOTP: "whatever"}}})
	require.NoError(t, err, "without totp_type authenticator the key is not checked")
	assert.Equal(t, client.TOTPType("none"), c.Credential.TOTPType, "totp_type defaults to none, a TOTP secret or not")
}
