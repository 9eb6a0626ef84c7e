# Two-step verification from an app's side, against Gatehouse's plain listener: an account
# sets up an authenticator app (pyotp plays the phone), logs in in two steps, and removes
# the app again with its password and a code.
# Usage: python3 mfa_totp.py [BASE_URL]   (default: $GATEHOUSE_URL, else http://127.0.0.1:8000)
import base64
import json
import os
import secrets
import sys
import time

import pyotp  # Debian: python3-pyotp; elsewhere: pip install pyotp
import requests  # Debian: python3-requests; elsewhere: pip install requests

BASE_URL = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8000")
API = BASE_URL.rstrip("/") + "/api/v1/auth"
USERNAME = "pyotp-" + secrets.token_hex(4)  # a new account on every run
PASSWORD = "correct-horse-42"


def call(method, path, expected, token=None, body=None):
    """One request to /api/v1/auth; stops the script when the status is not the one expected."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    answer = requests.request(method, API + path, json=body, headers=headers, timeout=10)
    if answer.status_code != expected:
        sys.exit(f"{method} {path}: expected {expected}, got {answer.status_code} {answer.text}")
    return answer.json()


def amr(access_token):
    """How the token's session signed in (RFC 8176). Read here without checking the
    signature; an app backend checks it first (docs/verify-tokens.md)."""
    payload = access_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["amr"]


used_codes = set()


def code_from_phone(totp):
    """The code the authenticator app shows now. Gatehouse accepts each code once,
    so after using one, wait for the next (a new one every 30 seconds)."""
    while (code := totp.now()) in used_codes:
        time.sleep(1)
    used_codes.add(code)
    return code


# 1. A new account, logged in with its password.
call("POST", "/register", 201, body={"username": USERNAME, "email": f"{USERNAME}@example.com", "password": PASSWORD, "confirm_password": PASSWORD})
token = call("POST", "/login/json", 200, body={"username": USERNAME, "password": PASSWORD})["access_token"]
print("logged in with the password:", amr(token))

# 2. Setting up an authenticator app changes how the account is protected:
#    the bearer token alone is refused (403 STEP_UP_REQUIRED), the password confirms it.
call("POST", "/mfa/totp", 403, token=token, body={})
print("setting up the app with the token alone: 403")
setup = call("POST", "/mfa/totp", 200, token=token, body={"password": PASSWORD})
totp = pyotp.TOTP(setup["secret"])  # a phone scans setup["qr_svg"] or setup["otpauth_uri"] instead
confirmed = call("POST", "/mfa/totp/confirm", 200, token=token, body={"code": code_from_phone(totp)})
print("app confirmed:", len(confirmed["recovery_codes"]), "recovery codes, shown this once")

# 3. From now on a login stops after the password (403 with an mfa_token) ...
stopped = call("POST", "/login/json", 403, body={"username": USERNAME, "password": PASSWORD})
print("login with the password: 403, mfa_required", stopped["mfa_required"], "methods", stopped["methods"])
# ... and POST /mfa/verify finishes it with a code (or with "recovery_code": one of the recovery codes).
signed_in = call("POST", "/mfa/verify", 200, body={"mfa_token": stopped["mfa_token"], "code": code_from_phone(totp)})
print("second step with a code:", amr(signed_in["access_token"]))

# 4. Removing the app. The first session signed in with the password alone, so it
#    needs the password AND a code (a session that signed in with a code less than
#    STEP_UP_MAX_AGE_SECONDS ago would need neither).
call("DELETE", "/mfa/totp", 403, token=token, body={"password": PASSWORD})
print("removing the app with the password alone: 403")
call("DELETE", "/mfa/totp", 200, token=token, body={"password": PASSWORD, "code": code_from_phone(totp)})
print("removed with the password and a code: totp", call("GET", "/mfa", 200, token=token)["totp"])
