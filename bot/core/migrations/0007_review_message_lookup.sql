-- Which review a posted message belongs to (a moderator cleaning up a review post whose review is gone).
CREATE INDEX review_message_by_message ON review_message (message_id);
