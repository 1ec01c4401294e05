package wiki

// StarterSynonyms is the synonym list a new wiki starts with: the common
// ways people at work name the same thing, written for any employer (not
// for one handbook), leaving out words with a second common meaning at
// work (holiday, leaving, award, schedule, screen), which would send
// searches astray. EnsureSynonyms saves it as revision 1; trainers edit
// it from /search/synonyms like any other text, and can delete all of it.
const StarterSynonyms = `# Synonyms for search: one group per line, terms separated by commas.
# A search for any term of a group also finds the others; a phrase matches
# as a phrase. Edit freely: this is the wiki's own list.

# Time off
pto, vacation, annual leave, time off, paid time off
sick leave, sick day, sick time
ooo, out of office
parental leave, maternity leave, paternity leave
bereavement, funeral leave
leave of absence, unpaid leave

# Where and when people work
wfh, work from home, remote, telework, teleworking, working remotely
flex time, flexible schedule, flexible hours
timesheet, time card

# Pay and money
pay, salary, wages, paycheck, compensation
payroll, pay period, payday
reimbursement, expenses, expense report, refund
bonus, incentive pay
promotion, career progression, career ladder, advancement
401k, retirement plan, pension
w-2, tax form

# People
manager, supervisor, boss
coworker, colleague, teammate
new hire, new employee, newcomer
hr, human resources, people ops, people operations
contractor, vendor, consultant

# Equipment and accounts
laptop, computer, notebook, workstation
phone, mobile, cell phone, smartphone
badge, id card, access card, keycard
password, passphrase, login, credentials
mfa, 2fa, two-factor, multi-factor authentication
vpn, virtual private network
monitor, display
help desk, service desk, tech support, it support

# Safety, health and outside contacts
phishing, suspicious email, scam email, fake email
eap, employee assistance program, counseling
reporter, journalist, media inquiry, press inquiry

# Getting started and leaving
onboarding, orientation, first day, getting started
offboarding, last day, quitting, resigning, resignation
training, course, class
conference, summit, convention

# Travel
travel, business trip, work trip
per diem, daily allowance
hotel, lodging
flight, airfare, plane ticket
car rental, rental car

# Everyday words
email, e-mail, mail
video call, video meeting, videoconference
calendar invite, meeting invite
wifi, wi-fi, wireless, internet
printer, printing
ai, artificial intelligence, chatgpt, generative ai, llm
parking, car park
`
