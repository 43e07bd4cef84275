"""Registration questions: asked when someone registers (portal and guest form), shown at the
door and in the registrations export. The after-meetup survey's own questions live here too."""
