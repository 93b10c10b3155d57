"""Signals other apps listen to, so stories never imports them.

`story_taken_down` is sent inside the transaction of story_take_down, with
story_id: social posts linking to the story follow it in the same request.
"""

from django.dispatch import Signal

story_taken_down = Signal()
