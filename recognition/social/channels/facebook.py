"""A Facebook Page, through the Graph API over HTTPS (requests).

The Page access token needs the pages_manage_posts and pages_read_engagement
permissions. Facebook offers no idempotency key, so a post whose request left but
whose answer never came is "unknown" for a person to check.
"""

import requests

from recognition.social.channels.base import (
    ChannelError,
    Checked,
    PostContent,
    Problem,
    Published,
    request_left,
    retry_time,
)
from recognition.social.secrets import unseal

GRAPH = "https://graph.facebook.com/v21.0"
TIMEOUT = (5, 30)
# Facebook's error codes (developers.facebook.com/docs/graph-api/guides/error-handling).
TOKEN_CODES = {102, 190}
EXPIRED_SUBCODES = {463, 467}
PERMISSION_CODES = {3, 10} | set(range(200, 300))
RATE_CODES = {4, 17, 32, 613, 80001}
PASSING_CODES = {1, 2}


class FacebookClient:
    def __init__(self, channel):
        self.channel = channel
        self.page_id = channel.account
        self.token = unseal(channel.secret).get("page_token", "")
        self.http = requests.Session()

    def _request(
        self, method: str, path: str, *, final: bool = False, params=None, data=None, files=None
    ) -> dict:
        params, data = dict(params or {}), dict(data or {})
        # The token goes in the body of a POST, so it never lands in a server's access log.
        (data if method == "POST" else params)["access_token"] = self.token
        try:
            response = self.http.request(
                method,
                f"{GRAPH}/{path}",
                params=params,
                data=data or None,
                files=files,
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            if final and request_left(error):
                raise ChannelError(Problem.UNCERTAIN, str(error)) from error
            raise ChannelError(Problem.UNREACHABLE, str(error)) from error
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.ok and not (isinstance(body, dict) and "error" in body):
            return body
        raise self._error(response, body if isinstance(body, dict) else {}, final=final)

    def _error(self, response, body: dict, *, final: bool) -> ChannelError:
        error = body.get("error") or {}
        code, subcode = error.get("code"), error.get("error_subcode")
        words = error.get("error_user_msg") or error.get("message") or response.reason or ""
        if code in TOKEN_CODES:
            expired = subcode in EXPIRED_SUBCODES or "expired" in words.lower()
            return ChannelError(Problem.EXPIRED_TOKEN if expired else Problem.BAD_TOKEN, words)
        if code in PERMISSION_CODES:
            return ChannelError(Problem.MISSING_PERMISSION, words)
        if code in RATE_CODES or response.status_code == 429:
            return ChannelError(Problem.RATE_LIMITED, words, retry_at=retry_time(response.headers))
        if code in PASSING_CODES or error.get("is_transient"):
            return ChannelError(Problem.SERVER_ERROR, words, retry_at=retry_time(response.headers))
        if response.status_code >= 500:
            # A gateway's error after the request left: Facebook may have posted it.
            if final and response.status_code in (502, 504):
                return ChannelError(Problem.UNCERTAIN, words)
            return ChannelError(Problem.SERVER_ERROR, words, retry_at=retry_time(response.headers))
        return ChannelError(Problem.CONTENT, words)

    def check(self) -> Checked:
        me = self._request("GET", "me", params={"fields": "id,name"})
        if self.page_id and str(me.get("id")) != str(self.page_id):
            raise ChannelError(
                Problem.MISSING_PERMISSION,
                f"This token is for {me.get('name') or me.get('id')}, not the Page {self.page_id}. "
                "Use the Page's own access token.",
            )
        return Checked(posts_as=me.get("name") or str(me.get("id")))

    def publish(self, content: PostContent) -> Published:
        if content.image:
            answer = self._request(
                "POST",
                f"{self.page_id}/photos",
                data={
                    "message": content.text,
                    "published": "true",
                    "alt_text_custom": content.image_alt,
                },
                files={"source": ("picture", content.image, content.image_type)},
                final=True,
            )
            post_id = answer.get("post_id") or answer["id"]
        else:
            answer = self._request(
                "POST",
                f"{self.page_id}/feed",
                data={"message": content.text, "link": content.link},
                final=True,
            )
            post_id = answer["id"]
        return Published(remote_id=post_id, remote_url=f"https://www.facebook.com/{post_id}")

    def delete(self, remote_id: str) -> None:
        try:
            self._request("DELETE", remote_id)
        except ChannelError as error:
            if error.problem == Problem.CONTENT and "does not exist" in error.detail.lower():
                return
            raise
