"""Announcements (一斉連絡): one email to a segment of the community, previewed, sent now or at
a set time, with each recipient's delivery state."""
