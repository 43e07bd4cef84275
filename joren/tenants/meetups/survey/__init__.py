"""The after-meetup survey (アンケート): emailed to attendees the next day, answered by link,
read per meetup in the console and as a CSV."""
