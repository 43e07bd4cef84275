"""The public face of a community's meetups: pictures, share cards, schema.org data, the
organizer's contact and the calendar other sites embed."""
