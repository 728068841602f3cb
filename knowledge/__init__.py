"""Troubleshooting and setup guides, and the matcher that finds them for a customer's words.

Entry points: ``knowledge.index.GuideIndex`` (a fixed set of guides), ``knowledge.live.
LiveGuideIndex`` (a folder that admins edit while the bot runs), ``knowledge.loader`` (load and
check a folder) and ``knowledge.gaps`` (group the problems no guide answered).
"""
